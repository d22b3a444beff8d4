using RobeGen.Data.Tabular;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>The row groups a Parquet read decodes: skipped ones left out, the first read's rows apart from the rest of their row group.</summary>
public sealed class ParquetReadPlanTests
{
    [Fact]
    public void The_first_reads_rows_are_a_span_of_their_own_and_skipped_row_groups_are_left_out()
    {
        long[] groups = [100, 100, 50];
        Assert.Equal([new(0, 0, 0, 30), new(0, 30, 30, 70), new(1, 100, 0, 100), new(2, 200, 0, 50)], ParquetReadPlan.From(groups, 0, 30, "f"));
        // Resumed at row 120: the first read's rows start there; row group 0 is never read.
        Assert.Equal([new(1, 120, 20, 30), new(1, 150, 50, 50), new(2, 200, 0, 50)], ParquetReadPlan.From(groups, 120, 30, "f"));
        // A first read of a whole row group or more leaves it whole.
        Assert.Equal([new(2, 210, 10, 40)], ParquetReadPlan.From(groups, 210, 4096, "f"));
        Assert.Empty(ParquetReadPlan.From(groups, 250, 30, "f"));
    }
}
