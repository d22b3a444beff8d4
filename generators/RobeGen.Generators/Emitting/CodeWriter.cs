using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace RobeGen.Generators.Emitting;

/// <summary>Writes indented C# lines ("\n" line ends, 4-space indent) into a StringBuilder.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace, and indents until <see cref="Close"/>.</summary>
    public CodeWriter Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Opens a bare block (a scope of its own) and indents until <see cref="Close"/>.</summary>
    public CodeWriter OpenBlock()
    {
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();

    // Literals, always in the invariant culture.
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
    public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";
    public static string ULong(ulong value) => value.ToString(CultureInfo.InvariantCulture) + "UL";
    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture) + "UL";

    public static string Double(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E' }) >= 0 ? text : text + ".0";
    }

    public static string String(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>An identifier as C# source: keywords get the @ prefix.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
