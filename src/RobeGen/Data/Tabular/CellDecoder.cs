using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace RobeGen.Data.Tabular;

/// <summary>
/// Turns one cell (text of a delimited file, or a Parquet value) into a label, a dense value or a token. Every method
/// returns null on success or the reason the cell is wrong, which the reader turns into a <see cref="DataFormatException"/>
/// naming the file, line and column. Delimited text and Parquet share these rules, so the same data gives the same batch.
/// </summary>
internal static class CellDecoder
{
    private const string MultiHot = "a list value ('[...'); this column holds one value per cell (a multi-hot table, declared with "
        + "Pooling = Sum or Mean, reads its cell as ids separated by the list separator, '|' by default, without brackets)";

    public static string? Label(ReadOnlySpan<char> cell, out float label)
    {
        cell = cell.Trim();
        label = 0;
        if (cell.Length == 0) return "the label is missing";
        if (cell is "1" || cell.Equals("true", StringComparison.OrdinalIgnoreCase)) { label = 1; return null; }
        if (cell is "0" || cell.Equals("false", StringComparison.OrdinalIgnoreCase)) return null;
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return Label(value, out label);
        return $"the label must be 0 or 1 (or false/true), found '{Shown(cell)}'";
    }

    public static string? Label(double value, out float label)
    {
        label = (float)value;
        return value is 0 or 1 ? null : $"the label must be 0 or 1, found {value.ToString(CultureInfo.InvariantCulture)}";
    }

    public static string? Dense(ReadOnlySpan<char> cell, out double value, out bool missing)
    {
        cell = cell.Trim();
        value = 0;
        missing = cell.Length == 0;
        if (missing) return null;
        if (cell[0] == '[') return MultiHot;
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return $"not a number: '{Shown(cell)}'";
        return double.IsFinite(value) ? null : $"not a finite number: '{Shown(cell)}'";
    }

    public static string? Token(ReadOnlySpan<char> cell, TokenRule rule, out ulong token)
    {
        token = EmbeddingTable.MissingRawToken;
        if (cell.Length == 0) return null;
        if (cell[0] == '[') return MultiHot;
        if (rule == TokenRule.CriteoHex)
        {
            if (cell.Length > 8 || !uint.TryParse(cell, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint id))
                return $"not a Criteo id (1 to 8 hex digits): '{Shown(cell)}'";
            token = id;
            return null;
        }
        token = TextToken(cell);
        return null;
    }

    /// <summary>The text rule: a decimal integer in [0, 2^32) is its own id, any other text its 32-bit XxHash32, an empty cell
    /// the missing-value token.</summary>
    public static ulong TextToken(ReadOnlySpan<char> cell)
    {
        if (cell.Length == 0) return EmbeddingTable.MissingRawToken;
        if (cell.Length <= 10 && IsDigits(cell) && uint.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
            return number;
        return Hash(cell);
    }

    /// <summary>
    /// A multi-hot cell: ids separated by <paramref name="separator"/>, each turned into a token exactly as a single-hot
    /// cell is (<see cref="Token(ReadOnlySpan{char}, TokenRule, out ulong)"/>: no trimming), appended to the batch's ids
    /// at <paramref name="end"/>. An empty cell is an empty bag; an empty id inside a list (two separators in a row, or
    /// one at an end) is an error.
    /// </summary>
    public static string? Bag(ReadOnlySpan<char> cell, char separator, TokenRule rule, Batch batch, ref int end)
    {
        if (cell.Length == 0) return null;
        ReadOnlySpan<char> rest = cell;
        for (int index = 1; ; index++)
        {
            int at = rest.IndexOf(separator);
            ReadOnlySpan<char> id = at < 0 ? rest : rest[..at];
            if (id.Length == 0)
                return $"id {index} of the list '{Shown(cell)}' is empty (a '{separator}' at an end or two in a row; an empty cell is an empty list)";
            string? problem = Token(id, rule, out ulong token);
            if (problem is not null) return $"id {index} of the list '{Shown(cell)}': {problem}";
            BagWriter.Add(batch, ref end, token);
            if (at < 0) return null;
            rest = rest[(at + 1)..];
        }
    }

    /// <summary>An integer cell: under the Criteo rule it must be a 32-bit id; under the text rule it is read as its decimal text.</summary>
    public static string? Token(long value, TokenRule rule, out ulong token)
    {
        if (value is >= 0 and <= uint.MaxValue)
        {
            token = (ulong)value;
            return null;
        }
        token = EmbeddingTable.MissingRawToken;
        if (rule == TokenRule.CriteoHex) return $"a Criteo id must be a 32-bit value, found {value.ToString(CultureInfo.InvariantCulture)}";
        Span<char> text = stackalloc char[24];
        value.TryFormat(text, out int length, default, CultureInfo.InvariantCulture);
        token = Hash(text[..length]);
        return null;
    }

    /// <summary>XxHash32 of the UTF-8 text: 32 bits, so a token never reaches the missing-value token 2^32.</summary>
    private static uint Hash(ReadOnlySpan<char> text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = max > 256 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[256];
        int length = Encoding.UTF8.GetBytes(text, bytes);
        uint hash = XxHash32.HashToUInt32(bytes[..length]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return hash;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (char c in text) if (c is < '0' or > '9') return false;
        return true;
    }

    /// <summary>The cell as shown in a message: at most 40 characters, control characters escaped.</summary>
    public static string Shown(ReadOnlySpan<char> cell)
    {
        const int MaxShown = 40;
        var sb = new StringBuilder();
        foreach (char c in cell[..Math.Min(cell.Length, MaxShown)]) sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString());
        if (cell.Length > MaxShown) sb.Append("...");
        return sb.ToString();
    }
}
