namespace RobeGen.Data.Tabular;

/// <summary>One row group's rows to decode: all of them, or those after a resume position or the first rows inside it.</summary>
internal readonly record struct ParquetGroupSpan(int Group, long FirstRow, long Skip, int Rows);

/// <summary>
/// The row groups a Parquet read decodes, in file order, from the rows passed over on: whole row groups skipped are
/// never read. The first row group read is cut after the rows the first read asks for, so that the first batch waits
/// for those alone rather than the whole row group (131,072 rows in <c>robegen convert</c>'s files); its rest is a span
/// of its own, whose columns read through the head again to reach their rows (at most one batch more decoded per file).
/// </summary>
internal static class ParquetReadPlan
{
    /// <param name="groupRows">Rows of each row group.</param>
    /// <param name="skipped">Rows passed over before the first read (a resume position).</param>
    /// <param name="firstRows">Rows the first read asks for.</param>
    /// <param name="path">The file, for the error of a row group too large to decode.</param>
    public static List<ParquetGroupSpan> From(long[] groupRows, long skipped, int firstRows, string path)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstRows, 1);
        var plan = new List<ParquetGroupSpan>();
        (long first, long skip) = (0, skipped);
        for (int g = 0; g < groupRows.Length; first += groupRows[g], g++)
        {
            if (skip >= groupRows[g])
            {
                skip -= groupRows[g];
                continue;
            }
            // A decoded row group is held in int-indexed arrays.
            if (groupRows[g] > Array.MaxLength / 2)
                throw new DataFormatException(path, 0, null, 0, $"row group {g} has {groupRows[g]} rows; at most {Array.MaxLength / 2} can be read");
            int rows = (int)(groupRows[g] - skip);
            int head = plan.Count == 0 ? Math.Min(rows, firstRows) : rows;
            plan.Add(new ParquetGroupSpan(g, first + skip, skip, head));
            if (head < rows) plan.Add(new ParquetGroupSpan(g, first + skip + head, skip + head, rows - head));
            skip = 0;
        }
        return plan;
    }
}
