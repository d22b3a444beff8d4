namespace RobeGen.Data;

/// <summary>What is wrong with a line, found by <see cref="CriteoLineParser"/> (turned into a message only when reported).</summary>
internal enum LineProblem
{
    None = 0,
    TooFewFields,
    TooManyFields,
    LabelNotBinary,
    NotAnInteger,
    IntegerOverflow,
    NotHex,
    IdTooLong,
}

/// <summary>
/// Parses one Criteo TSV line into a batch row: label (0/1), dense = log(1 + max(x, 0)) of I1..I13 (missing -> 0),
/// tokens = the 32-bit hex ids of C1..C26 as ulong (missing -> <see cref="EmbeddingTable.MissingRawToken"/>).
/// A final '\r' (CRLF line ends) is ignored; a '\r' anywhere else is an error.
/// </summary>
internal static class CriteoLineParser
{
    /// <summary>log(1 + x) of small integers, precomputed with the same formula as the slow path, so results are identical.</summary>
    private const int LogTableSize = 4096;
    private static readonly float[] s_logTable = BuildLogTable();
    /// <summary>Hex digit values, -1 for other bytes.</summary>
    private static readonly sbyte[] s_hexValue = BuildHexTable();

    public static float Log1p(ulong x) => x < LogTableSize ? s_logTable[x] : (float)Math.Log(1.0 + x);

    /// <summary>
    /// Parses <paramref name="line"/> (without its '\n'). On failure returns the problem and the zero-based field
    /// at fault; the destination row is then partly written and must be discarded.
    /// </summary>
    public static LineProblem Parse(ReadOnlySpan<byte> line, bool labeled, ref float label, Span<float> dense, Span<ulong> tokens, out int badField)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        int p = 0;
        int field = 0;
        int n = line.Length;
        if (labeled)
        {
            // Exactly one byte, '0' or '1', then a tab.
            uint digit = n > 0 ? (uint)(line[0] - '0') : uint.MaxValue;
            if (digit > 1 || (n > 1 && line[1] != (byte)'\t'))
            {
                badField = 0;
                return LineProblem.LabelNotBinary;
            }
            label = digit;
            if (n < 2) { badField = 1; return LineProblem.TooFewFields; }
            p = 2;
            field = 1;
        }
        else
        {
            label = 0;
        }

        for (int i = 0; i < CriteoSchema.DenseFeatures; i++, field++)
        {
            bool negative = false;
            if (p < n && line[p] == (byte)'-') { negative = true; p++; }
            ulong value = 0;
            int digits = 0;
            while (p < n)
            {
                uint d = (uint)(line[p] - '0');
                if (d > 9) break;
                // Stop before ulong wraps; the long range is checked after the loop.
                if (value > (ulong.MaxValue - 9) / 10) { badField = field; return LineProblem.IntegerOverflow; }
                value = value * 10 + d;
                digits++;
                p++;
            }
            if (p < n && line[p] != (byte)'\t') { badField = field; return LineProblem.NotAnInteger; }
            if (negative && digits == 0) { badField = field; return LineProblem.NotAnInteger; }
            if (value > (negative ? 1UL << 63 : long.MaxValue)) { badField = field; return LineProblem.IntegerOverflow; }
            dense[i] = negative ? 0f : Log1p(value);
            // p is at a tab (more fields follow) or at the end (the line is short).
            if (p == n) { badField = field + 1; return LineProblem.TooFewFields; }
            p++;
        }

        sbyte[] hex = s_hexValue;
        for (int i = 0; i < CriteoSchema.CategoricalFeatures; i++, field++)
        {
            // Fast path for the usual 8 hex digits followed by a tab or the line end: eight independent lookups
            // instead of a loop (a negative table entry anywhere makes the OR negative).
            int h0 = -1, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0;
            if (p + 8 <= n && (p + 8 == n || line[p + 8] == (byte)'\t'))
            {
                ReadOnlySpan<byte> d8 = line.Slice(p, 8);
                h0 = hex[d8[0]]; h1 = hex[d8[1]]; h2 = hex[d8[2]]; h3 = hex[d8[3]];
                h4 = hex[d8[4]]; h5 = hex[d8[5]]; h6 = hex[d8[6]]; h7 = hex[d8[7]];
            }
            if ((h0 | h1 | h2 | h3 | h4 | h5 | h6 | h7) >= 0)
            {
                tokens[i] = (uint)((h0 << 28) | (h1 << 24) | (h2 << 20) | (h3 << 16) | (h4 << 12) | (h5 << 8) | (h6 << 4) | h7);
                p += 8;
            }
            else
            {
                ulong id = 0;
                int digits = 0;
                while (p < n)
                {
                    int h = hex[line[p]];
                    if (h < 0) break;
                    id = (id << 4) | (uint)h;
                    digits++;
                    p++;
                }
                if (p < n && line[p] != (byte)'\t') { badField = field; return LineProblem.NotHex; }
                if (digits > 8) { badField = field; return LineProblem.IdTooLong; }
                tokens[i] = digits == 0 ? EmbeddingTable.MissingRawToken : id;
            }
            // p is at a tab or at the end: the last field must end the line, the others must not.
            if (i == CriteoSchema.CategoricalFeatures - 1)
            {
                if (p < n) { badField = field + 1; return LineProblem.TooManyFields; }
            }
            else
            {
                if (p == n) { badField = field + 1; return LineProblem.TooFewFields; }
                p++;
            }
        }
        badField = -1;
        return LineProblem.None;
    }

    /// <summary>
    /// A human explanation of a problem found by <see cref="Parse"/>, for <see cref="DataFormatException"/>. A wrong
    /// field count is named as such even when parsing stopped earlier (a label that is really I1, say), because
    /// it is the likelier cause.
    /// </summary>
    public static (string Field, int Column, string Reason) Describe(ReadOnlySpan<byte> line, CriteoLayout layout, LineProblem problem, int badField)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        int expected = CriteoSchema.FieldCount(layout);
        int actual = line.Count((byte)'\t') + 1;
        if (actual != expected)
        {
            string count = $"the line has {actual} tab-separated fields, expected {expected} ({Expected(layout)}){LayoutHint(layout, actual)}";
            return actual < expected
                ? (CriteoSchema.FieldName(layout, actual), actual + 1, $"field is missing: {count}")
                : ("(extra)", expected + 1, $"unexpected extra field: {count}");
        }
        string value = FieldText(line, badField);
        string reason = problem switch
        {
            LineProblem.LabelNotBinary => $"the label must be 0 or 1, found '{value}'",
            LineProblem.NotAnInteger => $"not a decimal integer: '{value}'",
            LineProblem.IntegerOverflow => $"integer overflow (outside the 64-bit range): '{value}'",
            LineProblem.NotHex => $"not a hexadecimal id: '{value}'",
            LineProblem.IdTooLong => $"id longer than 8 hex digits (ids are 32-bit): '{value}'",
            _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, "not a problem within a field"),
        };
        if (line.Contains((byte)'\r'))
            reason += " (the line contains a carriage return (CR) that is not part of a final CRLF)";
        return (CriteoSchema.FieldName(layout, badField), badField + 1, reason);
    }

    private static string Expected(CriteoLayout layout) =>
        layout == CriteoLayout.Labeled ? "label, I1..I13, C1..C26" : "I1..I13, C1..C26, no label";

    private static string LayoutHint(CriteoLayout layout, int actual) =>
        (layout, actual) switch
        {
            // Worded for every caller (library and command line alike): no API or flag names, just what the file looks like.
            (CriteoLayout.Labeled, 39) => "; is this an unlabeled test file (39 columns, no label)?",
            (CriteoLayout.Unlabeled, 40) => "; is this a labeled file (40 columns, the label first)?",
            _ => "",
        };

    /// <summary>The text of a zero-based field, shortened and with control characters escaped.</summary>
    private static string FieldText(ReadOnlySpan<byte> line, int field)
    {
        int start = 0;
        for (int f = 0; f < field; f++)
        {
            int tab = line[start..].IndexOf((byte)'\t');
            if (tab < 0) return "";
            start += tab + 1;
        }
        ReadOnlySpan<byte> rest = line[start..];
        int end = rest.IndexOf((byte)'\t');
        ReadOnlySpan<byte> bytes = end < 0 ? rest : rest[..end];
        const int MaxShown = 40;
        var sb = new System.Text.StringBuilder();
        foreach (byte b in bytes[..Math.Min(bytes.Length, MaxShown)])
            sb.Append(b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
        if (bytes.Length > MaxShown) sb.Append("...");
        return sb.ToString();
    }

    private static float[] BuildLogTable()
    {
        var table = new float[LogTableSize];
        for (int x = 0; x < LogTableSize; x++) table[x] = (float)Math.Log(1.0 + x);
        return table;
    }

    private static sbyte[] BuildHexTable()
    {
        var table = new sbyte[256];
        Array.Fill(table, (sbyte)-1);
        for (int c = '0'; c <= '9'; c++) table[c] = (sbyte)(c - '0');
        for (int c = 'a'; c <= 'f'; c++) table[c] = (sbyte)(c - 'a' + 10);
        for (int c = 'A'; c <= 'F'; c++) table[c] = (sbyte)(c - 'A' + 10);
        return table;
    }
}
