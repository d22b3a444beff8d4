using Microsoft.CodeAnalysis.Text;

namespace RobeGen.Generators.Tests;

/// <summary>Source with the expected diagnostic span marked as <c>[|...|]</c>.</summary>
internal static class Markup
{
    public static (string Source, TextSpan Span) Parse(string marked)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal);
        if (start < 0 || end < start) throw new ArgumentException("The source has no [| |] span.", nameof(marked));
        string source = marked.Remove(end, 2).Remove(start, 2);
        return (source, TextSpan.FromBounds(start, end - 2));
    }
}
