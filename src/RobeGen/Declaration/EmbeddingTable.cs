namespace RobeGen;

/// <summary>
/// One categorical column of a declared model, as the generator resolved it at compile time.
/// Instances are created by generated code; the <c>partial</c> table properties return them.
/// </summary>
/// <param name="Name">Property name in the declaration (for example <c>C1</c>).</param>
/// <param name="Index">Position among the model's tables (declaration order).</param>
/// <param name="Column">Zero-based categorical column of the data the reader hands the model: the Criteo layout's
/// column (C1 is 0) for a Criteo declaration, the table's own <paramref name="Index"/> for named columns.</param>
/// <param name="Cardinality">Distinct tokens of the column (rows of a full table); 0 when unknown.</param>
/// <param name="Storage">Declared storage of the table.</param>
/// <param name="Rows">Declared row count of a Hashed table, or the remainder rows R of a QuotientRemainder table (0 otherwise).</param>
/// <param name="TokenOffset">
/// The constant added to a token to form the global row id xg: the sum of the cardinalities of the
/// earlier tables for vocabulary tokens (the authors' setup), <c>Index * 2^33</c> for raw ids.
/// </param>
public sealed record EmbeddingTable(
    string Name,
    int Index,
    int Column,
    long Cardinality,
    EmbeddingStorage Storage,
    long Rows,
    ulong TokenOffset)
{
    /// <summary>Name of the column in the data: the declared name, or C1..C26 for a column of the Criteo layout.</summary>
    public string ColumnName { get; init; } = $"C{Column + 1}";

    /// <summary>How a multi-hot cell (a list of ids) is pooled; <see cref="Pooling.None"/> for a single-hot column.</summary>
    public Pooling Pooling { get; init; } = Pooling.None;

    /// <summary>Ids per cell that synthetic data and benchmarks use for a multi-hot table (MLPerf DLRM-DCNv2's
    /// per-feature hotness); 1 for a single-hot table. Real data may hold any number per cell, an empty list included.</summary>
    public int Hotness { get; init; } = 1;

    /// <summary>True when cells are lists of ids pooled by <see cref="Pooling"/>.</summary>
    public bool IsMultiHot => Pooling != Pooling.None;

    /// <summary>Stride between tables' id ranges for raw 64-bit tokens: 32-bit ids (and the missing-id token 2^32) never collide across tables.</summary>
    public const int RawTokenTableShift = 33;

    /// <summary>Reserved raw token for a missing value; outside the range of 32-bit ids so it never equals a real id.</summary>
    public const ulong MissingRawToken = 1UL << 32;
}
