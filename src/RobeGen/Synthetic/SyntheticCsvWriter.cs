using System.Globalization;
using System.Text;
using RobeGen.Data;
using RobeGen.Data.Tabular;

namespace RobeGen.Synthetic;

/// <summary>
/// Writes a multi-hot model's synthetic rows (<see cref="SyntheticGenerator.ForMultiHot"/>) as CSV under the model's own
/// column names: a header (label, dense columns, tables' columns), then per row the label, the dense counts as decimal
/// integers (empty when missing: the reader applies the declared transform, as to real data) and each table's bag as
/// decimal ids joined by '|' (<see cref="TabularData.DefaultListSeparator"/>; a decimal id below 2^32 is read as itself).
/// The Criteo TSV of <see cref="SyntheticTsvWriter"/> cannot hold bags (one id per cell), hence this file.
/// </summary>
/// <remarks>One thread: these files feed tests and small runs; benchmarks draw their batches in memory.</remarks>
public static class SyntheticCsvWriter
{
    /// <summary>Writes rows <paramref name="firstRow"/> .. <paramref name="firstRow"/> + <paramref name="rows"/> - 1 for
    /// <paramref name="declaration"/> to <paramref name="path"/>.</summary>
    public static void Write(SyntheticGenerator generator, ModelDeclaration declaration, long firstRow, long rows, string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        Write(generator, declaration, firstRow, rows, writer);
    }

    /// <summary>Writes the header and the rows to <paramref name="writer"/>.</summary>
    public static void Write(SyntheticGenerator generator, ModelDeclaration declaration, long firstRow, long rows, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (!declaration.HasMultiHotTables || !declaration.NamedColumns)
            throw new ArgumentException($"{declaration.Name} has no multi-hot table; its synthetic rows are Criteo TSV (SyntheticTsvWriter).", nameof(declaration));
        ColumnProjection.CheckFitsCriteoShape(declaration);
        SyntheticGenerator bags = generator.IsMultiHot ? generator : generator.ForMultiHot(declaration);

        var header = new List<string> { declaration.LabelColumn };
        header.AddRange(declaration.DenseColumns.Select(c => c.Name));
        header.AddRange(declaration.Tables.Select(t => t.ColumnName));
        writer.Write(string.Join(",", header.Select(Quoted)));
        writer.Write('\n');

        var counts = new long[SyntheticGenerator.DenseColumns];
        var lengths = new int[SyntheticGenerator.TokenColumns];
        var ids = new uint[bags.MaxRowIds];
        var line = new StringBuilder();
        for (long r = 0; r < rows; r++)
        {
            bags.BagRow(firstRow + r, counts, lengths, ids, out bool clicked);
            line.Clear().Append(clicked ? '1' : '0');
            for (int j = 0; j < declaration.DenseFeatures; j++)
            {
                line.Append(',');
                if (counts[j] >= 0) line.Append(counts[j].ToString(CultureInfo.InvariantCulture));
            }
            foreach (EmbeddingTable table in declaration.Tables)
            {
                line.Append(',');
                int start = bags.BagStart(table.Column);
                for (int k = 0; k < lengths[table.Column]; k++)
                {
                    if (k > 0) line.Append(TabularData.DefaultListSeparator);
                    line.Append(ids[start + k].ToString(CultureInfo.InvariantCulture));
                }
            }
            writer.Write(line.Append('\n'));
        }
    }

    /// <summary>A header field, in quotes (doubled inside) when it holds a comma, a quote or a line break.</summary>
    private static string Quoted(string name) =>
        name.AsSpan().IndexOfAny(",\"\r\n") < 0 ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
