using RobeGen.Generators.Model;
using static RobeGen.Generators.Emitting.CodeWriter;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// The ILGPU kernels (<c>GpuEmbedding</c>, an IGpuEmbeddingKernels): one thread per (sample, table, coordinate), so
/// the lanes of a warp read a block's consecutive slots together (coalesced 128-byte reads at Z = 32, where one
/// thread per block walked its 32 floats alone); the block's first lane hashes (the table's folded key comes from
/// RobeHash.Key's constant switch) and shares the start by a warp shuffle. Kernel code is ILGPU-safe: no
/// allocation, spans, LINQ or exceptions.
/// </summary>
internal static class GpuKernelEmitter
{
    private const string Robe = "(int)" + Names.EmbeddingStorage + ".Robe";
    private const string Full = "(int)" + Names.EmbeddingStorage + ".Full";
    private const string Warp = "global::ILGPU.Warp";
    private const string Group = "global::ILGPU.Group";

    private static string GatherDelegate =>
        "global::System.Action<" + Names.Index1D + ", " + Names.GpuEmbeddingArgs + ", " + Names.GpuTableViews + ", " + Names.ArrayView +
        "<float>, " + Names.ArrayView + "<ulong>, " + Names.ArrayView + "<long>, " + Names.ArrayView + "<float>>";

    private static string ScatterDelegate =>
        "global::System.Action<" + Names.Index1D + ", " + Names.GpuEmbeddingArgs + ", " + Names.GpuTableViews + ", " + Names.ArrayView +
        "<ulong>, " + Names.ArrayView + "<long>, " + Names.ArrayView + "<float>, " + Names.ArrayView + "<float>>";

    public static void Write(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>The generated ILGPU embedding kernels of this model.</summary>");
        w.Open("public sealed class GpuEmbedding : " + Names.GpuEmbeddingKernels);
        w.Line("/// <summary>The one instance (the kernels keep no state).</summary>");
        w.Line("public static GpuEmbedding Instance { get; } = new GpuEmbedding();");
        w.Line();
        w.Line("private GpuEmbedding() { }");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + GatherDelegate + " LoadGather(" + Names.Accelerator + " accelerator) =>");
        w.Line("    " + Names.KernelLoaders + ".LoadAutoGroupedStreamKernel<" + TypeArguments(GatherDelegate) + ">(accelerator, GatherKernel);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + ScatterDelegate + " LoadScatterAtomic(" + Names.Accelerator + " accelerator) =>");
        w.Line("    " + Names.KernelLoaders + ".LoadAutoGroupedStreamKernel<" + TypeArguments(ScatterDelegate) + ">(accelerator, ScatterAtomicKernel);");
        w.Line();
        WriteGatherKernel(w, model);
        w.Line();
        WriteScatterKernel(w, model);
        w.Line();
        WriteRowStart(w);
        w.Close();
    }

    private static string TypeArguments(string actionType) =>
        actionType.Substring("global::System.Action<".Length, actionType.Length - "global::System.Action<".Length - 1);

    /// <summary>
    /// The thread's element (sample, table, coordinate j), its block and the position k in it; <c>active</c> is false
    /// for threads past the batch (they still take part in the warp shuffles, which need every lane).
    /// </summary>
    private static void WriteThreadMapping(CodeWriter w)
    {
        w.Line("int pair = index.X / EmbeddingDim;");
        w.Line("int j = index.X - pair * EmbeddingDim;");
        w.Line("bool active = pair < args.Batch * TableCount;");
        w.Line("int table = pair % TableCount;");
        w.Line("int storage = active ? tables.Storage[table] : " + Full + ";");
        w.Line("int blockSize = args.BlockSize;");
        w.Line("int block = j / blockSize;");
        w.Line("int k = j - block * blockSize;");
        w.Line("long record = (long)pair * args.MaxBlocks + block;");
    }

    /// <summary>
    /// Whether a block's Z lanes sit in one warp (Z divides the warp size and d, groups are whole warps): then only the
    /// block's first lane hashes and the others take the result by a shuffle. Uniform over the launch, so no lane
    /// skips a shuffle. On a GPU (warp 32) this holds for Z = 1, 2, 4, 8, 16, 32 when Z divides d.
    /// </summary>
    private static void WriteShareTest(CodeWriter w)
    {
        w.Line("bool share = blockSize <= " + Warp + ".WarpSize && " + Warp + ".WarpSize % blockSize == 0 && EmbeddingDim % blockSize == 0 && " +
            Group + ".DimX % " + Warp + ".WarpSize == 0;");
        w.Line("bool hashes = active && storage == " + Robe + " && (k == 0 || !share);");
    }

    private static void WriteGatherKernel(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>Gather: thread (sample, table, j) reads coordinate j of the embedding, so a warp reads whole blocks of");
        w.Line("/// consecutive slots (coalesced); the first lane of a block hashes and records its start. Extent batch * TableCount *");
        w.Line("/// EmbeddingDim. A Full table's out-of-range token (the CPU loops throw) reads zeros and records start -1.</summary>");
        w.Open("public static void GatherKernel(" + Names.Index1D + " index, " + Names.GpuEmbeddingArgs + " args, " + Names.GpuTableViews + " tables, " +
            Names.ArrayView + "<float> weights, " + Names.ArrayView + "<ulong> tokens, " + Names.ArrayView + "<long> blockStarts, " + Names.ArrayView + "<float> output)");
        WriteThreadMapping(w);
        w.Line("ulong token = active ? tokens[pair] : 0UL;");
        WriteShareTest(w);
        w.Line("long start = 0L;");
        if (model.Variant == RobeVariant.Signed) w.Line("ulong sign = 0UL;");
        w.Open("if (hashes)");
        w.Line("ulong key = RobeHash.Key(table, token);");
        if (model.Variant == RobeVariant.Circular) w.Line("start = RobeHash.StartOf(RobeHash.Hash(key, block), args.RobeSlots);");
        else w.Line("start = RobeHash.StartOf(RobeHash.Hash(key, block), args.RobeSlots - blockSize + 1);");
        if (model.Variant == RobeVariant.Signed) w.Line("sign = RobeHash.SignRowTerm(key);");
        w.Close();
        w.Open("if (share)");
        w.Line("start = " + Warp + ".Shuffle(start, " + Warp + ".LaneIdx - k);");
        if (model.Variant == RobeVariant.Signed) w.Line("sign = " + Warp + ".Shuffle(sign, " + Warp + ".LaneIdx - k);");
        w.Close();
        w.Line("if (!active) return;");
        w.Open("if (storage == " + Robe + ")");
        w.Line("if (k == 0) blockStarts[record] = start;");
        w.Line("output[index.X] = weights[" + Slot(model) + "]" + SignFactor(model) + ";");
        w.Close();
        w.Open("else");
        w.Line("// A Full or Hashed row: d consecutive floats, one per thread; coordinate 0 records the row's start.");
        w.Line("long rowStart = RowStart(storage, token, tables.Rows[table], tables.TableBase[table]);");
        w.Line("if (j == 0) blockStarts[(long)pair * args.MaxBlocks] = rowStart;");
        w.Line("output[index.X] = rowStart < 0 ? 0f : weights[rowStart + j];");
        w.Close();
        w.Close();
    }

    private static void WriteScatterKernel(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>Gradient scatter: thread (sample, table, j) atomically adds coordinate j's gradient (times the sign for");
        w.Line("/// Signed) at the slot the gather recorded; a warp's atomics hit consecutive slots. Same extent as the gather; the");
        w.Line("/// order of the additions is not fixed.</summary>");
        w.Open("public static void ScatterAtomicKernel(" + Names.Index1D + " index, " + Names.GpuEmbeddingArgs + " args, " + Names.GpuTableViews + " tables, " +
            Names.ArrayView + "<ulong> tokens, " + Names.ArrayView + "<long> blockStarts, " + Names.ArrayView + "<float> gradOutput, " + Names.ArrayView + "<float> gradWeights)");
        WriteThreadMapping(w);
        if (model.Variant == RobeVariant.Signed)
        {
            w.Line("// The sign needs the row's key: hashed once per block as in the gather.");
            WriteShareTest(w);
            w.Line("ulong sign = hashes ? RobeHash.SignRowTerm(RobeHash.Key(table, tokens[pair])) : 0UL;");
            w.Line("if (share) sign = " + Warp + ".Shuffle(sign, " + Warp + ".LaneIdx - k);");
        }
        w.Line("if (!active) return;");
        w.Open("if (storage == " + Robe + ")");
        w.Line("long start = blockStarts[record];");
        w.Line(Names.Atomic + ".Add(ref gradWeights[" + Slot(model) + "], gradOutput[index.X]" + SignFactor(model) + ");");
        w.Close();
        w.Open("else");
        w.Line("long rowStart = blockStarts[(long)pair * args.MaxBlocks];");
        w.Line("if (rowStart >= 0) " + Names.Atomic + ".Add(ref gradWeights[rowStart + j], gradOutput[index.X]);");
        w.Close();
        w.Close();
    }

    private static string Slot(DlrmModel model) =>
        model.Variant == RobeVariant.Circular ? "RobeHash.Wrap(start + k, args.RobeSlots)" : "start + k";

    private static string SignFactor(DlrmModel model) =>
        model.Variant == RobeVariant.Signed ? " * RobeHash.Sign(RobeHash.AddMod(sign, RobeHash.SignTerm(j)))" : "";

    private static void WriteRowStart(CodeWriter w)
    {
        w.Line("/// <summary>Start of a Full (row = token) or Hashed (row = token mod rows) row; -1 for a Full token out of range.</summary>");
        w.Open("private static long RowStart(int storage, ulong token, long rows, long tableBase)");
        w.Line("if (storage == " + Full + " && token >= (ulong)rows) return -1L;");
        w.Line("ulong row = storage == " + Full + " ? token : token % (ulong)rows;");
        w.Line("return tableBase + (long)row * EmbeddingDim;");
        w.Close();
    }
}
