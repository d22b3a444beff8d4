namespace RobeGen.Data;

/// <summary>
/// Appends the ids of a multi-hot <see cref="Batch"/> row by row, cell by cell (compressed sparse rows): a row's cells
/// start where the previous row's last cell ended (row 0 at 0), and <see cref="Batch.BagIds"/> grows as needed.
/// Readers write a row's every cell in table order, single-hot ones as one id each.
/// </summary>
internal static class BagWriter
{
    /// <summary>Where the ids of row <paramref name="row"/> start (the rows before it are written); sets BagOffsets[0] for row 0.</summary>
    public static int RowStart(Batch batch, int row)
    {
        if (row == 0)
        {
            batch.BagOffsets[0] = 0;
            return 0;
        }
        return batch.BagOffsets[row * batch.Tables];
    }

    /// <summary>Writes <paramref name="id"/> at <paramref name="end"/> and moves it on.</summary>
    public static void Add(Batch batch, ref int end, ulong id)
    {
        if (end == batch.BagIds.Length) batch.EnsureIdCapacity(end + 1);
        batch.BagIds[end++] = id;
    }

    /// <summary>Ends cell (<paramref name="row"/>, <paramref name="table"/>) at <paramref name="end"/>.</summary>
    public static void EndCell(Batch batch, int row, int table, int end) => batch.BagOffsets[row * batch.Tables + table + 1] = end;

    /// <summary>Ids per cell to allocate up front for <paramref name="declaration"/>'s batches: the tables' mean declared hotness.</summary>
    public static int IdsPerCell(ModelDeclaration declaration) =>
        declaration.TableCount == 0 ? 1 : Math.Max(1, (int)Math.Ceiling(declaration.Tables.Sum(t => (double)Math.Max(1, t.Hotness)) / declaration.TableCount));

    /// <summary>An empty batch of <paramref name="declaration"/>'s shape: bags when it has a multi-hot table.</summary>
    public static Batch CreateBatch(ModelDeclaration declaration, int capacity) =>
        new(capacity, declaration.DenseFeatures, declaration.TableCount, declaration.HasMultiHotTables, IdsPerCell(declaration));

    /// <summary>An empty batch shaped like <paramref name="shape"/> (bags and their room included).</summary>
    public static Batch CreateLike(Batch shape) => !shape.IsMultiHot
        ? new(shape.Capacity, shape.DenseFeatures, shape.Tables)
        : new(shape.Capacity, shape.DenseFeatures, shape.Tables, multiHot: true,
            idsPerCell: Math.Max(1, shape.BagIds.Length / Math.Max(1, shape.Capacity * shape.Tables)));

    /// <summary>A new batch of the first <paramref name="rows"/> rows of <paramref name="batch"/>: labels, dense values and tokens or bags.</summary>
    public static Batch CopyRows(Batch batch, int rows)
    {
        rows = Math.Min(rows, batch.Count);
        int cells = rows * batch.Tables;
        int ids = batch.IsMultiHot ? batch.BagOffsets[cells] : 0;
        var copy = batch.IsMultiHot
            ? new Batch(Math.Max(1, rows), batch.DenseFeatures, batch.Tables, multiHot: true, idsPerCell: Math.Max(1, (ids + Math.Max(1, cells) - 1) / Math.Max(1, cells)))
            : new Batch(Math.Max(1, rows), batch.DenseFeatures, batch.Tables);
        copy.Count = rows;
        batch.Labels.AsSpan(0, rows).CopyTo(copy.Labels);
        batch.Dense.AsSpan(0, rows * batch.DenseFeatures).CopyTo(copy.Dense);
        if (!batch.IsMultiHot)
        {
            batch.Tokens.AsSpan(0, cells).CopyTo(copy.Tokens);
            return copy;
        }
        batch.BagOffsets.AsSpan(0, cells + 1).CopyTo(copy.BagOffsets);
        copy.EnsureIdCapacity(ids);
        batch.BagIds.AsSpan(0, ids).CopyTo(copy.BagIds);
        return copy;
    }
}
