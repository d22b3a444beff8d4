namespace RobeGen.Data.Tabular;

/// <summary>
/// The 64-bit id RobeGen's readers make of a categorical cell, for callers that feed a model without the readers (an
/// exported ONNX graph, a hand-built <see cref="Batch"/>): the same rule, so a served model sees the ids it was trained on.
/// </summary>
public static class CategoricalIds
{
    /// <summary>
    /// A cell of a named (user's) column, as delimited text or a Parquet string holds it: a decimal integer in
    /// [0, 2^32) is its own id, any other text the XxHash32 of its UTF-8 bytes, an empty cell
    /// <see cref="EmbeddingTable.MissingRawToken"/>.
    /// </summary>
    public static ulong FromText(ReadOnlySpan<char> cell) => CellDecoder.TextToken(cell);

    /// <summary>
    /// An integer cell of a named column (a Parquet int32/int64): a value in [0, 2^32) is its own id, any other the
    /// XxHash32 of its decimal text (as <see cref="FromText"/> would read it written out).
    /// </summary>
    public static ulong FromInteger(long value)
    {
        CellDecoder.Token(value, TokenRule.Text, out ulong token);
        return token;
    }
}
