using RobeGen.Tests.Models;

namespace RobeGen.Tests.Embedding;

/// <summary>Circular and Signed do what they say, and the Authors formula does not depend on them.</summary>
public sealed class VariantTests
{
    private static readonly EmbeddingLayout Authors = EmbeddingLayout.FromDeclaration(SmallAuthors.Declaration);
    private static readonly EmbeddingLayout Circular = EmbeddingLayout.FromDeclaration(SmallCircular.Declaration);
    private static readonly EmbeddingLayout Signed = EmbeddingLayout.FromDeclaration(SmallSigned.Declaration);
    private static readonly int[] RobeTables = { 0, 3 };

    [Fact]
    public void Signed_reads_the_authors_slots_with_balanced_signs()
    {
        int plus = 0, minus = 0;
        for (ulong token = 0; token < 500; token++)
            foreach (int t in RobeTables)
                for (int j = 0; j < Authors.Dim; j++)
                {
                    var authors = SmallAuthors.Definition.Embedding.SlotOf(Authors, t, token, j);
                    var signed = SmallSigned.Definition.Embedding.SlotOf(Signed, t, token, j);
                    Assert.Equal(authors.Slot, signed.Slot);
                    Assert.Equal(1f, authors.Sign);
                    Assert.Equal(RobeReference.Sign(RobeReference.GlobalRowId(SmallSigned.Declaration.Tables[t], token), j), signed.Sign);
                    if (signed.Sign > 0) plus++; else minus++;
                }
        double share = plus / (double)(plus + minus);
        Assert.InRange(share, 0.45, 0.55);
    }

    [Fact]
    public void Signs_are_independent_of_the_slot_hash()
    {
        // Tokens whose block 0 lands on the same start should still get both signs.
        var signsBySlot = new Dictionary<long, HashSet<float>>();
        for (ulong token = 0; token < 2000; token++)
        {
            var (slot, sign) = SmallSigned.Definition.Embedding.SlotOf(Signed, 0, token, 0);
            if (!signsBySlot.TryGetValue(slot, out var signs)) signsBySlot[slot] = signs = new HashSet<float>();
            signs.Add(sign);
        }
        Assert.True(signsBySlot.Values.Count(s => s.Count == 2) > signsBySlot.Count * 3 / 4);
    }

    [Fact]
    public void Circular_starts_anywhere_and_wraps_past_the_end()
    {
        bool wrapped = false, startedInLastBlock = false;
        for (ulong token = 0; token < 2000; token++)
        {
            long start = SmallCircular.Definition.Embedding.SlotOf(Circular, 0, token, 0).Slot;
            Assert.InRange(start, 0, Circular.RobeSlots - 1);
            startedInLastBlock |= start > Circular.RobeSlots - Circular.BlockSize;
            long last = SmallCircular.Definition.Embedding.SlotOf(Circular, 0, token, Circular.BlockSize - 1).Slot;
            wrapped |= last < start;
        }
        Assert.True(startedInLastBlock, "Circular starts should reach [m - Z + 1, m)");
        Assert.True(wrapped, "some Circular block should wrap around the end");
    }

    [Fact]
    public void Authors_blocks_never_leave_the_array()
    {
        for (ulong token = 0; token < 2000; token++)
            for (int j = 0; j < Authors.Dim; j++)
                Assert.InRange(SmallAuthors.Definition.Embedding.SlotOf(Authors, 0, token, j).Slot, 0, Authors.RobeSlots - 1);
    }

    [Fact]
    public void The_sign_constants_are_the_documented_derivation()
    {
        var (s1, s2, s3) = RobeReference.SignConstants;
        Assert.Equal(SignHash.S1, (ulong)s1);
        Assert.Equal(SignHash.S2, (ulong)s2);
        Assert.Equal(SignHash.S3, (ulong)s3);
    }

    [Fact]
    public void The_hash_constants_are_the_specs()
    {
        // The authors' numpy RandomState(1024) draws (docs/model-math.md): one set for every model and variant.
        Assert.Equal(2038074743UL, RobeHash.P);
        Assert.Equal(634329019UL, RobeHash.R1);
        Assert.Equal(1825252241UL, RobeHash.R2);
        Assert.Equal(871205356UL, RobeHash.R3);
    }
}
