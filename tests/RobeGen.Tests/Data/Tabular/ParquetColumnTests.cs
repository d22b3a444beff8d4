using ParquetSharp;
using RobeGen.Data.Tabular;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>
/// Integer columns read through the physical reader (plain int64, required or optional, with nulls) across data pages
/// and row groups, in chunks that straddle page ends, against the values written; and a column the fast path leaves to
/// the logical reader (32-bit) read the same way.
/// </summary>
public sealed class ParquetColumnTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(37)]
    [InlineData(4096)]
    public void Plain_int64_columns_read_every_value_and_null_across_pages_and_row_groups(int chunk)
    {
        const int groups = 3, rowsPerGroup = 1000;
        var random = new Random(5);
        long?[][] optional = Enumerable.Range(0, groups).Select(_ => Enumerable.Range(0, rowsPerGroup)
            .Select(i => random.Next(5) == 0 ? (long?)null : random.NextInt64(long.MinValue, long.MaxValue)).ToArray()).ToArray();
        long[][] required = Enumerable.Range(0, groups).Select(_ => Enumerable.Range(0, rowsPerGroup).Select(_ => random.NextInt64()).ToArray()).ToArray();
        int?[][] narrow = Enumerable.Range(0, groups).Select(_ => Enumerable.Range(0, rowsPerGroup)
            .Select(i => i % 7 == 0 ? (int?)null : random.Next(int.MinValue, int.MaxValue)).ToArray()).ToArray();
        string path = _temp.File("ints.parquet");
        // Data pages of 512 bytes: a row group's 1,000 values span many pages, so reads must continue across page ends.
        using (WriterProperties properties = new WriterPropertiesBuilder().DataPagesize(512).DisableDictionary().Build())
        using (var writer = new ParquetFileWriter(path, new Column[] { new Column<long?>("optional"), new Column<long>("required"), new Column<int?>("narrow") }, properties))
        {
            for (int g = 0; g < groups; g++)
            {
                using RowGroupWriter group = writer.AppendRowGroup();
                using (var c = group.NextColumn().LogicalWriter<long?>()) c.WriteBatch(optional[g]);
                using (var c = group.NextColumn().LogicalWriter<long>()) c.WriteBatch(required[g]);
                using (var c = group.NextColumn().LogicalWriter<int?>()) c.WriteBatch(narrow[g]);
            }
            writer.Close();
        }

        using var file = new ParquetFileReader(path);
        for (int g = 0; g < groups; g++)
        {
            using RowGroupReader group = file.RowGroup(g);
            (bool[] present, long[] values) Read(int column)
            {
                using ParquetColumn c = ParquetColumn.Open(group.Column(column), chunk)!;
                var present = new List<bool>();
                var values = new List<long>();
                for (int n; (n = c.Read(Math.Min(chunk, 37 + present.Count % 50))) > 0;)
                {
                    present.AddRange(c.Present.Take(n));
                    values.AddRange(c.Integers.Take(n));
                }
                return (present.ToArray(), values.ToArray());
            }
            var o = Read(0);
            Assert.Equal(optional[g].Select(v => v.HasValue), o.present);
            Assert.Equal(optional[g].Select(v => v ?? 0), o.values);
            var r = Read(1);
            Assert.All(r.present, Assert.True);
            Assert.Equal(required[g], r.values);
            var n32 = Read(2);
            Assert.Equal(narrow[g].Select(v => v.HasValue), n32.present);
            Assert.Equal(narrow[g].Select(v => (long)(v ?? 0)), n32.values);
        }
    }
}
