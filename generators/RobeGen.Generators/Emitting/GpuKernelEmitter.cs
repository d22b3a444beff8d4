using RobeGen.Generators.Model;
using static RobeGen.Generators.Emitting.CodeWriter;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// The ILGPU kernels (<c>GpuEmbedding</c>, an IGpuEmbeddingKernels): one thread per (sample, table, block); the
/// table's folded key comes from RobeHash.Key's constant switch; the coordinates of a block of the declared Z are
/// unrolled (ILGPU does not unroll loops). Kernel code is ILGPU-safe: no allocation, spans, LINQ or exceptions.
/// </summary>
internal static class GpuKernelEmitter
{
    private const string Robe = "(int)" + Names.EmbeddingStorage + ".Robe";
    private const string Full = "(int)" + Names.EmbeddingStorage + ".Full";

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

    /// <summary>The thread's (sample, table, block) and the table's storage; returns early past the batch.</summary>
    private static void WriteThreadMapping(CodeWriter w)
    {
        w.Line("int maxBlocks = args.MaxBlocks;");
        w.Line("int pair = index.X / maxBlocks;");
        w.Line("int block = index.X - pair * maxBlocks;");
        w.Line("if (pair >= args.Batch * TableCount) return;");
        w.Line("int table = pair % TableCount;");
        w.Line("long embedding = (long)pair * EmbeddingDim;");
        w.Line("long record = (long)pair * maxBlocks + block;");
        w.Line("int storage = tables.Storage[table];");
    }

    private static void WriteGatherKernel(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>Gather: thread (sample, table, block) reads one block of the embedding and records its start.");
        w.Line("/// Extent batch * TableCount * MaxBlocks; for ROBE tables threads past the block count do nothing, a Full or Hashed");
        w.Line("/// row is split over the table's threads. A Full table's out-of-range token (the CPU loops throw) reads zeros and");
        w.Line("/// records start -1.</summary>");
        w.Open("public static void GatherKernel(" + Names.Index1D + " index, " + Names.GpuEmbeddingArgs + " args, " + Names.GpuTableViews + " tables, " +
            Names.ArrayView + "<float> weights, " + Names.ArrayView + "<ulong> tokens, " + Names.ArrayView + "<long> blockStarts, " + Names.ArrayView + "<float> output)");
        WriteThreadMapping(w);
        w.Line("ulong token = tokens[pair];");
        w.Open("if (storage == " + Robe + ")");
        WriteRobeBlockPrologue(w, model, needsKey: true);
        w.Line("long start = RobeHash.StartOf(RobeHash.Hash(key, block), " + Range(model) + ");");
        w.Line("blockStarts[record] = start;");
        WriteBlockLoop(w, model, k => "output[at + " + k + "] = " + Read(model, k) + ";");
        w.Close();
        w.Open("else");
        w.Line("// A Full or Hashed row: the table's threads share its d floats; the first records the start.");
        w.Line("long start = RowStart(storage, token, tables.Rows[table], tables.TableBase[table]);");
        w.Line("if (block == 0) blockStarts[record] = start;");
        WriteRowShare(w);
        w.Line("for (int j = from; j < to; j++) output[embedding + j] = start < 0 ? 0f : weights[start + j];");
        w.Close();
        w.Close();
    }

    private static void WriteScatterKernel(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>Gradient scatter: thread (sample, table, block) atomically adds its block's gradient (times the sign for");
        w.Line("/// Signed) at the start the gather recorded. Same extent as the gather; the order of the additions is not fixed.</summary>");
        w.Open("public static void ScatterAtomicKernel(" + Names.Index1D + " index, " + Names.GpuEmbeddingArgs + " args, " + Names.GpuTableViews + " tables, " +
            Names.ArrayView + "<ulong> tokens, " + Names.ArrayView + "<long> blockStarts, " + Names.ArrayView + "<float> gradOutput, " + Names.ArrayView + "<float> gradWeights)");
        WriteThreadMapping(w);
        w.Open("if (storage == " + Robe + ")");
        w.Line("long start = blockStarts[record];");
        if (model.Variant == RobeVariant.Signed) w.Line("ulong token = tokens[pair];");
        WriteRobeBlockPrologue(w, model, needsKey: false);
        WriteBlockLoop(w, model, k => Names.Atomic + ".Add(ref gradWeights[" + Slot(model, k) + "], gradOutput[at + " + k + "]" + SignFactor(model, k) + ");");
        w.Close();
        w.Open("else");
        w.Line("// A Full or Hashed row: the table's threads share its d floats at the start the first one recorded.");
        w.Line("long rowStart = blockStarts[(long)pair * maxBlocks];");
        w.Line("if (rowStart < 0) return;");
        WriteRowShare(w);
        w.Line("for (int j = from; j < to; j++) " + Names.Atomic + ".Add(ref gradWeights[rowStart + j], gradOutput[embedding + j]);");
        w.Close();
        w.Close();
    }

    /// <summary>Block geometry, early return past the embedding, the table's key (constant switch) where needed and the
    /// variant's extras. The scatter needs the key only for the sign: it reuses the gather's block starts.</summary>
    private static void WriteRobeBlockPrologue(CodeWriter w, DlrmModel model, bool needsKey)
    {
        w.Line("int blockSize = args.BlockSize;");
        w.Line("int first = block * blockSize;");
        w.Line("if (first >= EmbeddingDim) return;");
        w.Line("long at = embedding + first;");
        if (model.Variant == RobeVariant.Circular) w.Line("long slots = args.RobeSlots;");
        if (needsKey || model.Variant == RobeVariant.Signed) w.Line("ulong key = RobeHash.Key(table, token);");
        if (model.Variant == RobeVariant.Signed) w.Line("ulong sign = RobeHash.SignRowTerm(key);");
    }

    /// <summary>The coordinates of one block: unrolled for a full block of the declared Z, a loop otherwise.</summary>
    private static void WriteBlockLoop(CodeWriter w, DlrmModel model, System.Func<string, string> statement)
    {
        bool unroll = Unrolling.Applies(model);
        if (unroll)
        {
            w.Open("if (blockSize == BlockSize && first + BlockSize <= EmbeddingDim)");
            w.Line("// The declared Z: the block's coordinates unrolled.");
            for (int k = 0; k < model.BlockSize; k++) w.Line(statement(Int(k)));
            w.Close();
            w.Open("else");
        }
        w.Line("int width = EmbeddingDim - first < blockSize ? EmbeddingDim - first : blockSize;");
        w.Line("for (int k = 0; k < width; k++) " + statement("k"));
        if (unroll) w.Close();
    }

    private static string Range(DlrmModel model) =>
        model.Variant == RobeVariant.Circular ? "slots" : "args.RobeSlots - blockSize + 1";

    private static string Slot(DlrmModel model, string k) =>
        model.Variant == RobeVariant.Circular ? "RobeHash.Wrap(start + " + k + ", slots)" : "start + " + k;

    private static string Read(DlrmModel model, string k) => "weights[" + Slot(model, k) + "]" + SignFactor(model, k);

    private static string SignFactor(DlrmModel model, string k) =>
        model.Variant == RobeVariant.Signed ? " * RobeHash.Sign(RobeHash.AddMod(sign, RobeHash.SignTerm(first + " + k + ")))" : "";

    /// <summary>Coordinates [from, to) of a Full or Hashed row that this thread (one of the table's MaxBlocks) handles.</summary>
    private static void WriteRowShare(CodeWriter w)
    {
        w.Line("int share = (EmbeddingDim + maxBlocks - 1) / maxBlocks;");
        w.Line("int from = block * share;");
        w.Line("int to = from + share < EmbeddingDim ? from + share : EmbeddingDim;");
    }

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
