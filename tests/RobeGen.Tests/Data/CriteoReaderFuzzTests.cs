using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using RobeGen.Data;
using Xunit.Abstractions;

namespace RobeGen.Tests.Data;

/// <summary>
/// The reader against a slow obvious reading, on files of real Criteo lines damaged the ways real files are damaged:
/// wrong field counts, non-hex ids, non-numeric and huge integers, NaN, CRLF, a BOM, empty lines, bytes out of place,
/// truncated gzip. Every line must be read to the reference's values or rejected with file and line (stopping, or
/// skipped into the rejects file), and no read may hang (each has a deadline) or throw anything else.
/// CI: 600 files of 20 lines (12,000 lines) plus 150 truncated gzip files; ROBEGEN_SOAK=1: ten times as many.
/// </summary>
public sealed partial class CriteoReaderFuzzTests(ITestOutputHelper output)
{
    private static readonly int Scale = Environment.GetEnvironmentVariable("ROBEGEN_SOAK") == "1" ? 10 : 1;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const string Bom = "\u00EF\u00BB\u00BF"; // UTF-8 BOM bytes, one char per byte (Latin-1)

    private static readonly Lazy<string[]> RealLines = new(() =>
    {
        var lines = new List<string>();
        foreach (string file in SourceFiles())
            lines.AddRange(ReferenceCriteoParser.ReadLines(file).Take(1500));
        return [.. lines];
    });

    private static IEnumerable<string> SourceFiles()
    {
        if (SharedData.Directory is not null)
        {
            yield return SharedData.PathOf(SharedData.Day0Head);
            yield return SharedData.PathOf(SharedData.KaggleHead);
            yield break;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string sample = Path.Combine(dir.FullName, "samples", "data", SharedData.Day0Head);
            if (File.Exists(sample)) { yield return sample; yield break; }
        }
        throw new InvalidOperationException("Neither shared/data nor samples/data holds the Criteo sample.");
    }

    // ---- Damage ---------------------------------------------------------------------------------------------------

    private enum Damage { None, DropField, ExtraField, NonHexId, LongId, NonNumeric, HugeInteger, BoundaryInteger, NotANumber, Crlf, Bom, EmptyLineBefore, StrayByte, BadLabel }

    private static readonly string[] NonNumeric = ["1.5", "abc", "-", "+3", "1e5", " 7", "7 ", "0x1F", AsBytes("١٢"), AsBytes("\u00A0")];
    private static readonly string[] NotANumber = ["NaN", "nan", "Infinity", "-Infinity", "inf", AsBytes("∞")];

    /// <summary>A string's UTF-8 bytes, one char per byte, as the files are built (Latin-1 maps chars 0-255 to bytes 1:1).</summary>
    private static string AsBytes(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
    private static readonly string[] BadLabels = ["2", "", "01", "-1", "1.0", "NaN", " 1", "true"];
    private static readonly char[] StrayBytes = ['\0', '\t', '\r', ' ', '\u00FF', '\u0080', '"', ',', 'x', '9'];

    private static string Apply(Damage damage, string line, Random r)
    {
        string[] f = line.Split('\t');
        int intField = 1 + r.Next(13), idField = 14 + r.Next(26);
        switch (damage)
        {
            case Damage.None: return line;
            case Damage.DropField: return string.Join('\t', f.Where((_, i) => i != r.Next(f.Length) || i < 0).Take(f.Length - 1 - r.Next(3)));
            case Damage.ExtraField: return r.Next(2) == 0 ? line + "\t" + f[^1] : string.Join('\t', f.Take(20)) + "\t\t" + string.Join('\t', f.Skip(20));
            case Damage.NonHexId: f[idField] = Replace(f[idField].Length == 0 ? "0" : f[idField], r, "gGzZ -x."); break;
            case Damage.LongId: f[idField] = f[idField] + (r.Next(2) == 0 ? "0" : "a1b2c3d4e5"); break;
            case Damage.NonNumeric: f[intField] = NonNumeric[r.Next(NonNumeric.Length)]; break;
            case Damage.HugeInteger: f[intField] = (r.Next(2) == 0 ? "-" : "") + string.Concat(Enumerable.Range(0, 19 + r.Next(12)).Select(_ => (char)('0' + r.Next(10)))); break;
            case Damage.BoundaryInteger: f[intField] = new[] { "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "00000000000000000000000001", "-0" }[r.Next(6)]; break;
            case Damage.NotANumber: f[r.Next(3) == 0 ? 0 : intField] = NotANumber[r.Next(NotANumber.Length)]; break;
            case Damage.Crlf: return line + (r.Next(4) == 0 ? "\r\r" : "\r");
            case Damage.Bom: return Bom + line;
            case Damage.EmptyLineBefore: return (r.Next(3) == 0 ? "\r" : "") + "\n" + line;
            case Damage.StrayByte:
                int at = r.Next(line.Length + 1);
                return line.Insert(at, StrayBytes[r.Next(StrayBytes.Length)].ToString());
            case Damage.BadLabel: f[0] = BadLabels[r.Next(BadLabels.Length)]; break;
        }
        return string.Join('\t', f);
    }

    private static string Replace(string field, Random r, string alphabet)
    {
        int at = r.Next(field.Length);
        return field.Remove(at, 1).Insert(at, alphabet[r.Next(alphabet.Length)].ToString());
    }

    // ---- The slow obvious reading -----------------------------------------------------------------------------------

    [GeneratedRegex("^(-?[0-9]+)?$")] private static partial Regex Decimal();
    [GeneratedRegex("^[0-9a-fA-F]{0,8}$")] private static partial Regex Hex();

    /// <summary>The lines of a file (bytes as Latin-1 chars): a BOM at the very start is not content, a final newline ends the last line.</summary>
    private static List<string> Lines(string content)
    {
        if (content.StartsWith(Bom, StringComparison.Ordinal)) content = content[Bom.Length..];
        var lines = content.Split('\n').ToList();
        if (lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    /// <summary>The row a line means, or null when it is not a valid labeled Criteo line.</summary>
    private static ReferenceCriteoParser.Row? Reference(string line)
    {
        if (line.EndsWith('\r')) line = line[..^1];
        string[] f = line.Split('\t');
        if (f.Length != 40 || f[0] is not ("0" or "1")) return null;
        for (int i = 1; i <= 13; i++)
            if (!Decimal().IsMatch(f[i]) || (f[i].Length > 0 && !long.TryParse(f[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))) return null;
        for (int i = 14; i < 40; i++)
            if (!Hex().IsMatch(f[i])) return null;
        return ReferenceCriteoParser.Parse(line, CriteoLayout.Labeled);
    }

    // ---- The properties ---------------------------------------------------------------------------------------------

    private static readonly Gen<(int Seed, int Lines, int DamageRate)> FileShape = Gen.Select(Gen.Int, Gen.Int[20, 20], Gen.Int[0, 100]);

    private static string DamagedFile(int seed, int count, int damageRate, out int damagedLines)
    {
        var r = new Random(seed);
        string[] pool = RealLines.Value;
        var text = new StringBuilder();
        damagedLines = 0;
        for (int i = 0; i < count; i++)
        {
            Damage damage = r.Next(100) < damageRate ? (Damage)(1 + r.Next(Enum.GetValues<Damage>().Length - 1)) : Damage.None;
            damagedLines += damage == Damage.None ? 0 : 1;
            text.Append(Apply(damage, pool[r.Next(pool.Length)], r));
            if (i < count - 1 || r.Next(4) != 0) text.Append('\n'); // sometimes no final newline
        }
        return text.ToString();
    }

    /// <summary>
    /// Runs a read on a thread of its own (not the thread pool: on a loaded 2-core CI machine a pool item can wait
    /// for a thread long enough to look like a hang) and fails if it does not finish within the deadline.
    /// </summary>
    private static T WithDeadline<T>(Func<T> read, string what)
    {
        T result = default!;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { result = read(); }
            catch (Exception e) { error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        })
        { IsBackground = true, Name = "fuzz read" };
        thread.Start();
        if (!thread.Join(Deadline)) Assert.Fail($"the reader did not finish {what} within {Deadline.TotalSeconds} s");
        error?.Throw();
        return result;
    }

    [Fact]
    [Trait("Tier", "Slow")] // ~20 s of fuzzed lines
    public void Damaged_real_lines_are_read_as_the_reference_reads_them_or_rejected_with_file_and_line()
    {
        using var temp = new TempFolder();
        int files = 0, lines = 0, accepted = 0, rejected = 0, damagedTotal = 0;
        FileShape.Sample(shape =>
        {
            string content = DamagedFile(shape.Seed, shape.Lines, shape.DamageRate, out int damaged);
            string path = temp.File($"fuzz{shape.Seed & 0xFFFF}.tsv");
            File.WriteAllBytes(path, Encoding.Latin1.GetBytes(content));
            List<string> fileLines = Lines(content);
            List<ReferenceCriteoParser.Row?> expected = fileLines.Select(Reference).ToList();
            CheckStopsAtFirstBadLine(path, expected);
            // A rejects file per case: a read that overran its deadline keeps writing its own, not the next case's.
            CheckSkipsEveryBadLine(path, temp.File($"rejects{Interlocked.Increment(ref files)}.tsv"), fileLines, expected);
            Interlocked.Add(ref lines, fileLines.Count);
            Interlocked.Add(ref accepted, expected.Count(e => e is not null));
            Interlocked.Add(ref rejected, expected.Count(e => e is null));
            Interlocked.Add(ref damagedTotal, damaged);
        }, iter: 600 * Scale, threads: 1, seed: Environment.GetEnvironmentVariable("ROBEGEN_FUZZ_SEED"));
        Assert.True(lines >= 10_000 * Scale, $"only {lines} lines tried");
        Assert.True(accepted > lines / 4 && rejected > lines / 10, $"accepted {accepted}, rejected {rejected}: the damage mix is off");
        output.WriteLine($"{files} files, {lines} lines ({damagedTotal} damaged): {accepted} read as the reference reads them, {rejected} rejected with file and line, each in both modes");
    }

    private static void CheckStopsAtFirstBadLine(string path, List<ReferenceCriteoParser.Row?> expected)
    {
        int firstBad = expected.FindIndex(e => e is null);
        var options = new CriteoReaderOptions { BatchSize = 7, ParserThreads = 2 };
        var delivered = new List<BatchCopy>();
        DataFormatException? error = WithDeadline(() =>
        {
            try
            {
                using var reader = CriteoReader.Open(path, CriteoLayout.Labeled, options);
                foreach (CriteoBatch b in reader)
                    delivered.Add(new BatchCopy(b.Batch.LabelSpan.ToArray(), b.Batch.DenseSpan.ToArray(), b.Batch.TokenSpan.ToArray(), b.Start, b.End));
                return null;
            }
            catch (DataFormatException e)
            {
                return e;
            }
        }, "a strict read");

        int row = 0;
        foreach (BatchCopy batch in delivered)
            for (int i = 0; i < batch.Count; i++, row++)
                AssertRow(expected[row]!, batch, i, $"{Path.GetFileName(path)} line {row + 1}");
        if (firstBad < 0)
        {
            Assert.Null(error);
            Assert.Equal(expected.Count, row);
            return;
        }
        Assert.NotNull(error);
        Assert.Equal(firstBad + 1, error.Line);
        Assert.Contains(path, error.Message);
        Assert.Contains($"line {firstBad + 1}", error.Message);
        Assert.True(row <= firstBad);
    }

    private static void CheckSkipsEveryBadLine(string path, string rejects, List<string> lines, List<ReferenceCriteoParser.Row?> expected)
    {
        var options = new CriteoReaderOptions { BatchSize = 5, ParserThreads = 2, SkipBadRows = true, RejectsPath = rejects };
        (List<BatchCopy> batches, long rejected, string? firstReason) = WithDeadline(() =>
        {
            using var reader = CriteoReader.Open(path, CriteoLayout.Labeled, options);
            var all = new List<BatchCopy>();
            foreach (CriteoBatch b in reader)
                all.Add(new BatchCopy(b.Batch.LabelSpan.ToArray(), b.Batch.DenseSpan.ToArray(), b.Batch.TokenSpan.ToArray(), b.Start, b.End));
            return (all, reader.RejectedRows, reader.FirstRejectReason);
        }, "a read skipping bad rows");

        var good = expected.Where(e => e is not null).ToList();
        int row = 0;
        foreach (BatchCopy batch in batches)
            for (int i = 0; i < batch.Count; i++, row++)
                AssertRow(good[row]!, batch, i, $"{Path.GetFileName(path)} accepted row {row + 1}");
        Assert.Equal(good.Count, row);
        Assert.Equal(expected.Count - good.Count, rejected);
        var badLines = lines.Where((_, i) => expected[i] is null).ToList();
        Assert.Equal(string.Concat(badLines.Select(l => l + "\n")), Encoding.Latin1.GetString(File.ReadAllBytes(rejects)));
        if (badLines.Count > 0) Assert.Contains($"{Path.GetFileName(path)}, line {expected.FindIndex(e => e is null) + 1}", firstReason);
    }

    private static void AssertRow(ReferenceCriteoParser.Row expected, BatchCopy batch, int i, string where)
    {
        Assert.True(expected.Label == batch.Labels[i], $"{where}: label");
        Assert.True(expected.Dense.AsSpan().SequenceEqual(batch.Dense.AsSpan(i * 13, 13)), $"{where}: dense");
        Assert.True(expected.Tokens.AsSpan().SequenceEqual(batch.Tokens.AsSpan(i * 26, 26)), $"{where}: tokens");
    }

    [Fact]
    public void A_truncated_gzip_of_damaged_lines_delivers_only_reference_rows_then_names_the_file()
    {
        using var temp = new TempFolder();
        int cases = 0, truncatedInData = 0;
        Gen.Select(Gen.Int, Gen.Double[0, 1], Gen.Bool).Sample((seed, cut, skip) =>
        {
            string content = DamagedFile(seed, 60, damageRate: 10, out _);
            using var memory = new MemoryStream();
            using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(Encoding.Latin1.GetBytes(content));
            byte[] whole = memory.ToArray();
            // 2 .. length-1 bytes: never the whole file, and at least the magic (gzip is recognized by its first two
            // bytes, not the name: a shorter file is plain text, empty or a one-byte bad line).
            int keep = 2 + (int)(cut * (whole.Length - 3));
            string path = temp.File($"cut{seed & 0xFFFF}.tsv.gz");
            File.WriteAllBytes(path, whole[..keep]);
            List<ReferenceCriteoParser.Row?> expected = Lines(content).Select(Reference).ToList();
            var options = new CriteoReaderOptions { BatchSize = 4, ParserThreads = 2, SkipBadRows = skip, RejectsPath = skip ? temp.File("r.tsv") : null };
            var delivered = new List<BatchCopy>();
            Exception? error = WithDeadline(() =>
            {
                try
                {
                    using var reader = CriteoReader.Open(path, CriteoLayout.Labeled, options);
                    foreach (CriteoBatch b in reader)
                        delivered.Add(new BatchCopy(b.Batch.LabelSpan.ToArray(), b.Batch.DenseSpan.ToArray(), b.Batch.TokenSpan.ToArray(), b.Start, b.End));
                    return null;
                }
                catch (DataFormatException e) { return e; }
            }, "a truncated gzip read");
            var e = error as DataFormatException ?? throw new Xunit.Sdk.XunitException($"no error for {keep} of {whole.Length} gzip bytes: {error}");
            Assert.Contains(Path.GetFileName(path), e.Message);
            var rows = skip ? expected.Where(x => x is not null).ToList() : expected;
            int row = 0;
            foreach (BatchCopy batch in delivered)
                for (int i = 0; i < batch.Count; i++, row++)
                    AssertRow(rows[row]!, batch, i, $"{Path.GetFileName(path)} row {row + 1}");
            Interlocked.Increment(ref cases);
            if (e.Message.Contains("truncated or corrupt", StringComparison.Ordinal)) Interlocked.Increment(ref truncatedInData);
        }, iter: 150 * Scale, threads: 1);
        output.WriteLine($"{cases} truncated gzip files: all stopped with the file named ({truncatedInData} as 'truncated or corrupt', the rest at a bad line before the cut)");
    }
}
