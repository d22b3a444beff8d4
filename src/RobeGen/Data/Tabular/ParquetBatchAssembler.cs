namespace RobeGen.Data.Tabular;

/// <summary>
/// Copies rows of a decoded row group (column-major, <see cref="ParquetRowBlock"/>) into a batch (row-major), after
/// its <see cref="Batch.Count"/>: labels, dense inputs and tokens one column at a time, bags row by row. The rows
/// must be free of problems (the reader checks first); a label column is absent from unlabeled data (labels read 0).
/// </summary>
internal static class ParquetBatchAssembler
{
    /// <summary>
    /// Rows copied column by column at a time: few enough that their batch rows stay in the core's cache while every
    /// column is scattered into them (a whole batch of Criteo rows is megabytes, each column pass would reload it).
    /// </summary>
    private const int TileRows = 256;

    public static void Copy(ParquetRowBlock block, ParquetInput[] inputs, int from, int rows, Batch batch)
    {
        for (int done = 0; done < rows; done += TileRows) CopyTile(block, inputs, from + done, Math.Min(TileRows, rows - done), batch);
    }

    private static void CopyTile(ParquetRowBlock block, ParquetInput[] inputs, int from, int rows, Batch batch)
    {
        int at = batch.Count;
        bool labeled = false;
        int dense = batch.DenseFeatures, tables = batch.Tables;
        for (int input = 0, table = 0; input < inputs.Length; input++)
        {
            ParquetColumnValues values = block.Inputs[input];
            switch (inputs[input].Kind)
            {
                case ParquetInputKind.Label:
                    values.Floats.AsSpan(from, rows).CopyTo(batch.Labels.AsSpan(at));
                    labeled = true;
                    break;
                case ParquetInputKind.Dense:
                    Scatter(values.Floats.AsSpan(from, rows), batch.Dense.AsSpan(at * dense), dense, inputs[input].DenseIndex);
                    break;
                default:
                    if (!batch.IsMultiHot) Scatter(values.Tokens.AsSpan(from, rows), batch.Tokens.AsSpan(at * tables), tables, table);
                    table++;
                    break;
            }
        }
        if (!labeled) batch.Labels.AsSpan(at, rows).Clear();
        if (batch.IsMultiHot) Bags(block, inputs, from, rows, batch);
        batch.Count += rows;
    }

    /// <summary>Column values into one column of row-major rows of <paramref name="stride"/> values.</summary>
    private static void Scatter<T>(ReadOnlySpan<T> column, Span<T> rows, int stride, int offset)
    {
        for (int i = 0, j = offset; i < column.Length; i++, j += stride) rows[j] = column[i];
    }

    /// <summary>Every table's bag of each row, in table order (a single-hot table's token as a bag of one).</summary>
    private static void Bags(ParquetRowBlock block, ParquetInput[] inputs, int from, int rows, Batch batch)
    {
        int firstTable = inputs.Length - batch.Tables;
        for (int r = 0; r < rows; r++)
        {
            int row = batch.Count + r, end = BagWriter.RowStart(batch, row);
            for (int t = 0; t < batch.Tables; t++)
            {
                ParquetColumnValues values = block.Inputs[firstTable + t];
                if (inputs[firstTable + t].Kind == ParquetInputKind.Bag)
                {
                    int start = values.Starts[from + r], length = values.Starts[from + r + 1] - start;
                    batch.EnsureIdCapacity(end + length);
                    values.Ids.AsSpan(start, length).CopyTo(batch.BagIds.AsSpan(end));
                    end += length;
                }
                else BagWriter.Add(batch, ref end, values.Tokens[from + r]);
                BagWriter.EndCell(batch, row, t, end);
            }
        }
    }
}
