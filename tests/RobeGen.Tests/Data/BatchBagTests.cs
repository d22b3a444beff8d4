using RobeGen.Data;
using Xunit;

namespace RobeGen.Tests.Data;

public sealed class BatchBagTests
{
    [Fact]
    public void A_single_hot_batch_has_tokens_and_no_bags()
    {
        var batch = new Batch(4, 2, 3);
        Assert.False(batch.IsMultiHot);
        Assert.Equal(12, batch.Tokens.Length);
        Assert.Empty(batch.BagOffsets);
        Assert.Equal(0, batch.IdCount);
        Assert.Throws<InvalidOperationException>(() => batch.EnsureIdCapacity(10));
    }

    [Fact]
    public void Bags_are_slices_of_the_ids_and_growing_keeps_what_was_written()
    {
        var batch = new Batch(2, 0, 2, multiHot: true);
        Assert.Empty(batch.Tokens);
        Assert.Equal(5, batch.BagOffsets.Length);
        Assert.Equal(4, batch.BagIds.Length);
        // Row 0: table 0 {7}, table 1 {}; row 1: table 0 {1, 2, 3}, table 1 {9, 9}.
        ulong[] ids = [7, 1, 2, 3, 9, 9];
        batch.EnsureIdCapacity(ids.Length);
        Assert.True(batch.BagIds.Length >= ids.Length);
        batch.BagIds[0] = 7;
        batch.EnsureIdCapacity(100);
        Assert.Equal(7UL, batch.BagIds[0]);
        ids.CopyTo(batch.BagIds, 0);
        int[] offsets = [0, 1, 1, 4, 6];
        offsets.CopyTo(batch.BagOffsets, 0);
        batch.Count = 2;

        Assert.Equal(6, batch.IdCount);
        Assert.Equal([7UL], batch.Bag(0, 0).ToArray());
        Assert.True(batch.Bag(0, 1).IsEmpty);
        Assert.Equal([1UL, 2UL, 3UL], batch.Bag(1, 0).ToArray());
        Assert.Equal([9UL, 9UL], batch.Bag(1, 1).ToArray());
        batch.Count = 1;
        Assert.Equal(1, batch.IdCount);
    }
}
