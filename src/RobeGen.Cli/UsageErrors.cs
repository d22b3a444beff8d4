using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace RobeGen.Cli;

/// <summary>
/// System.CommandLine's parse errors as one line each in the flag's words: "Cannot parse argument 'abc' for option '--lr' as
/// expected type 'System.Single'" names a .NET type; the user needs "--lr must be a number, got 'abc'".
/// </summary>
internal static partial class UsageErrors
{
    public static string OneLine(ParseError error)
    {
        string message = error.Message;
        Match m = CannotParse().Match(message);
        if (m.Success)
        {
            string kind = m.Groups["type"].Value switch
            {
                "System.Single" or "System.Double" or "System.Nullable`1[System.Single]" or "System.Nullable`1[System.Double]" => "a number",
                var t when t.Contains("Int", StringComparison.Ordinal) => "an integer",
                var t when t.Contains("Boolean", StringComparison.Ordinal) => "true or false",
                _ => "one of the values --help lists",
            };
            // The "Did you mean" lines that follow list the enum names: keep them, on the same line.
            string[] suggestions = message[m.Length..].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string names = suggestions.Length > 1 ? string.Join(", ", suggestions.Skip(1)).ToLowerInvariant() : "";
            return $"{m.Groups["option"].Value} must be {(names.Length > 0 ? "one of " + names : kind)}, got '{m.Groups["arg"].Value}'";
        }
        return string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<arg>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.")]
    private static partial Regex CannotParse();
}
