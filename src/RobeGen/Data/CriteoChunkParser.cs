namespace RobeGen.Data;

/// <summary>Parses a whole chunk of lines into its batch (one parser thread per chunk at a time).</summary>
internal static class CriteoChunkParser
{
    public static void Parse(ReaderWorkItem item, CriteoLayout layout, bool skipBadRows, IReadOnlyList<string> files)
    {
        LineChunk chunk = item.Lines;
        Batch batch = item.Batch;
        bool labeled = layout == CriteoLayout.Labeled;
        int dense = batch.DenseFeatures;
        int tables = batch.Tables;
        int rows = 0;
        for (int r = 0; r < chunk.LineCount; r++)
        {
            ReadOnlySpan<byte> line = chunk.Line(r)[..^1]; // without '\n'
            LineProblem problem = CriteoLineParser.Parse(line, labeled, ref batch.Labels[rows],
                batch.Dense.AsSpan(rows * dense, dense), batch.Tokens.AsSpan(rows * tables, tables), out int badField);
            if (problem == LineProblem.None)
            {
                rows++;
                continue;
            }
            DataFormatException error = Explain(chunk, r, line, layout, problem, badField, files);
            if (!skipBadRows) throw error;
            item.RejectedRows.Add(r);
            item.FirstRejectReason ??= error.Message;
        }
        batch.Count = rows;
    }

    private static DataFormatException Explain(LineChunk chunk, int row, ReadOnlySpan<byte> line, CriteoLayout layout,
        LineProblem problem, int badField, IReadOnlyList<string> files)
    {
        (int file, long lineIndex) = chunk.Locate(row);
        (string field, int column, string reason) = CriteoLineParser.Describe(line, layout, problem, badField);
        return new DataFormatException(files[file], lineIndex + 1, field, column, reason);
    }
}
