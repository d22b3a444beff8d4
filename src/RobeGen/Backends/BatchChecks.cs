using RobeGen.Data;

namespace RobeGen.Backends;

/// <summary>The checks every backend makes of a batch's ids before it runs: bags exactly when the model is multi-hot, and
/// well-formed bags (offsets from 0, non-decreasing, within the ids; one id per cell of a single-hot table).</summary>
internal static class BatchChecks
{
    public static void Hotness(Batch batch, ModelDeclaration declaration)
    {
        if (batch.IsMultiHot != declaration.HasMultiHotTables)
        {
            string multiHot = string.Join(", ", declaration.Tables.Where(t => t.IsMultiHot).Select(t => $"{t.Name} ({t.Pooling})"));
            throw new ArgumentException(batch.IsMultiHot
                ? $"The batch holds bags of ids (a multi-hot batch), but {declaration.Name} has no multi-hot table; give it one token per cell " +
                  "(new Batch(capacity, denseFeatures, tables))."
                : $"{declaration.Name} has multi-hot tables ({multiHot}), so its batches hold bags of ids; give it a multi-hot batch " +
                  "(new Batch(capacity, denseFeatures, tables, multiHot: true), BagOffsets and BagIds), not one token per cell.", nameof(batch));
        }
        if (!batch.IsMultiHot) return;
        int tables = batch.Tables, cells = batch.Count * tables;
        int[] offsets = batch.BagOffsets;
        if (offsets[0] != 0) throw new ArgumentException($"BagOffsets[0] is {offsets[0]}; the first cell's ids start at 0.", nameof(batch));
        for (int cell = 0; cell < cells; cell++)
        {
            int count = offsets[cell + 1] - offsets[cell];
            if (count < 0)
                throw new ArgumentException($"BagOffsets[{cell + 1}] = {offsets[cell + 1]} is below BagOffsets[{cell}] = {offsets[cell]}; offsets must not decrease.",
                    nameof(batch));
            EmbeddingTable table = declaration.Tables[cell % tables];
            if (count != 1 && !table.IsMultiHot)
                throw new ArgumentException(
                    $"Row {cell / tables}, table {table.Name} holds {count} ids; {table.Name} is single-hot (Pooling = None), so each of its cells holds exactly one.",
                    nameof(batch));
        }
        if (batch.IdCount > batch.BagIds.Length)
            throw new ArgumentException($"The bags run to id {batch.IdCount}, but BagIds holds {batch.BagIds.Length}.", nameof(batch));
    }
}
