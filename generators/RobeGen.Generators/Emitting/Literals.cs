using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace RobeGen.Generators.Emitting;

/// <summary>C# literals and identifiers for generated source, always in the invariant culture.</summary>
internal static class Literals
{
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
