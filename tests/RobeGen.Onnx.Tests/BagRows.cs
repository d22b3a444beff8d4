using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobeGen.Data;

namespace RobeGen.Onnx.Tests;

/// <summary>
/// Rows of a multi-hot model as both sides take them: a multi-hot <see cref="Batch"/> for the CPU backend (every cell a
/// bag, a single-hot cell one id) and the exported graph's inputs (a single-hot table's ids [rows]; a multi-hot table's
/// jagged values [ids] and lengths [rows]). Dense values are raw and untransformed (the models declare no transform).
/// </summary>
internal sealed class BagRows(ModelDeclaration declaration, float[][] dense, ulong[][][] bags)
{
    public int Count => dense.Length;

    /// <summary>Random rows: bags of 0 to <paramref name="maxBag"/> ids drawn from a small pool (so ids repeat within
    /// and across bags), some ids of 2^63 and more, some missing ids; or from <paramref name="pool"/> when given.</summary>
    public static BagRows Random(ModelDeclaration declaration, int rows, int seed, int maxBag = 5, ulong[]? pool = null)
    {
        var random = new Random(seed);
        pool ??= [.. Enumerable.Range(0, 40).Select(_ => (ulong)random.NextInt64() * 2 + (ulong)random.Next(2)),
            EmbeddingTable.MissingRawToken, 0, 1, ulong.MaxValue];
        var dense = new float[rows][];
        var bags = new ulong[rows][][];
        for (int r = 0; r < rows; r++)
        {
            dense[r] = [.. Enumerable.Range(0, declaration.DenseFeatures).Select(_ => (float)(random.NextDouble() * 4 - 2))];
            bags[r] = [.. declaration.Tables.Select(t => Enumerable.Range(0, t.IsMultiHot ? random.Next(maxBag + 1) : 1)
                .Select(_ => pool[random.Next(pool.Length)]).ToArray())];
        }
        return new BagRows(declaration, dense, bags);
    }

    /// <summary>Rows whose cells are given: <paramref name="bags"/>[row][table].</summary>
    public static BagRows Of(ModelDeclaration declaration, params ulong[][][] bags) =>
        new(declaration, [.. bags.Select((_, r) => Enumerable.Range(0, declaration.DenseFeatures).Select(i => 0.25f * (r + i)).ToArray())], bags);

    /// <summary>Row <paramref name="row"/>'s raw dense values.</summary>
    public float[] DenseOf(int row) => dense[row];

    /// <summary>Row <paramref name="row"/>'s cell of table <paramref name="table"/> (a single-hot cell: one id).</summary>
    public ulong[] BagOf(int row, int table) => bags[row][table];

    public Batch ToBatch()
    {
        var batch = new Batch(Count, declaration.DenseFeatures, declaration.TableCount, multiHot: true);
        int end = 0;
        for (int r = 0; r < Count; r++)
        {
            dense[r].CopyTo(batch.Dense, r * declaration.DenseFeatures);
            for (int t = 0; t < declaration.TableCount; t++)
            {
                batch.EnsureIdCapacity(end + bags[r][t].Length);
                foreach (ulong id in bags[r][t]) batch.BagIds[end++] = id;
                batch.BagOffsets[r * declaration.TableCount + t + 1] = end;
            }
        }
        batch.Count = Count;
        return batch;
    }

    public List<NamedOnnxValue> OnnxInputs()
    {
        var inputs = new List<NamedOnnxValue> { OnnxRuntimeSession.Dense(declaration, Count, (r, i) => dense[r][i]) };
        foreach (EmbeddingTable table in declaration.Tables)
        {
            int t = table.Index;
            long[] values = [.. bags.SelectMany(row => row[t]).Select(id => unchecked((long)id))];
            if (!table.IsMultiHot)
            {
                inputs.Add(NamedOnnxValue.CreateFromTensor(table.Name, new DenseTensor<long>(values, [Count])));
                continue;
            }
            inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxExporter.BagValues(table), new DenseTensor<long>(values, [values.Length])));
            long[] lengths = [.. bags.Select(row => (long)row[t].Length)];
            inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxExporter.BagLengths(table), new DenseTensor<long>(lengths, [Count])));
        }
        return inputs;
    }
}
