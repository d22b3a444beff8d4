using System.Globalization;
using System.Text;
using CsCheck;
using RobeGen.Data;

namespace RobeGen.Tests.Data;

/// <summary>The line parser against the reference on generated lines: all field shapes, and random damage.</summary>
public class CriteoLineParserPropertyTests
{
    private static readonly Gen<string> IntField = Gen.OneOf(
        Gen.Const(""),
        Gen.Int[-3, 5000].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture)));

    private static readonly Gen<string> HexField = Gen.OneOf(
        Gen.Const(""),
        Gen.UInt.Select(u => u.ToString("x8")),
        Gen.UInt.Select(u => u.ToString("X")),
        Gen.UInt[0, 0xFFFF].Select(u => u.ToString("x")));

    private static readonly Gen<string> Line = Gen.Select(Gen.Int[0, 1], IntField.Array[13], HexField.Array[26])
        .Select((label, ints, ids) => label + "\t" + string.Join("\t", ints) + "\t" + string.Join("\t", ids));

    private static (LineProblem Problem, float Label, float[] Dense, ulong[] Tokens) Parse(string line)
    {
        float label = -1;
        var dense = new float[13];
        var tokens = new ulong[26];
        LineProblem problem = CriteoLineParser.Parse(Encoding.Latin1.GetBytes(line), labeled: true, ref label, dense, tokens, out _);
        return (problem, label, dense, tokens);
    }

    [Fact]
    public void Valid_lines_parse_exactly_like_the_reference()
    {
        Line.Sample(line =>
        {
            var (problem, label, dense, tokens) = Parse(line);
            Assert.Equal(LineProblem.None, problem);
            var expected = ReferenceCriteoParser.Parse(line, CriteoLayout.Labeled);
            Assert.Equal(expected.Label, label);
            Assert.Equal(expected.Dense, dense);
            Assert.Equal(expected.Tokens, tokens);
        }, iter: 2000);
    }

    [Fact]
    public void A_damaged_line_is_refused_or_still_means_what_the_reference_reads()
    {
        const string Damage = "\t\r-+x 0aZ.\u00ff";
        Gen.Select(Line, Gen.Int[0, 1000], Gen.Int[0, Damage.Length - 1], Gen.Bool).Sample((line, at, what, replace) =>
        {
            int position = at % (line.Length + 1);
            string damaged = replace && position < line.Length
                ? line.Remove(position, 1).Insert(position, Damage[what].ToString())
                : line.Insert(position, Damage[what].ToString());
            var (problem, label, dense, tokens) = Parse(damaged);
            if (problem != LineProblem.None) return;
            // Accepted: then it must be a valid line by the strict reading (no '+', spaces or dots in numbers).
            string core = damaged.EndsWith('\r') ? damaged[..^1] : damaged;
            string[] fields = core.Split('\t');
            Assert.Equal(40, fields.Length);
            Assert.All(fields[1..14], f => Assert.Matches("^(-?[0-9]+)?$", f));
            Assert.All(fields[14..], f => Assert.Matches("^[0-9a-fA-F]{0,8}$", f));
            var expected = ReferenceCriteoParser.Parse(core, CriteoLayout.Labeled);
            Assert.Equal(expected.Label, label);
            Assert.Equal(expected.Dense, dense);
            Assert.Equal(expected.Tokens, tokens);
        }, iter: 3000);
    }
}
