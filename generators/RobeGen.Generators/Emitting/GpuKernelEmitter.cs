using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;
using static RobeGen.Generators.Emitting.CodeWriter;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// The ILGPU kernels (<c>GpuEmbedding</c>, an IGpuEmbeddingKernels). One lookup (sample, table) is served by
/// <see cref="GpuLookupPlan.Lanes"/> consecutive threads (32 when d &gt;= 32); lane l moves coordinates l, l + 32,
/// l + 64, ... in steps the generator unrolls (d and the declared Z are constants), so each load and store instruction
/// of a warp touches 32 consecutive floats (coalesced) and every lane has several independent loads in flight. The
/// ROBE block starts of a lookup are hashed once per block by distinct lanes in parallel and handed to the other lanes
/// by warp shuffles; the storage-specific parts (a ROBE block start, a Full/Hashed row start) are small helpers.
/// Kernel code is ILGPU-safe: no allocation, spans, LINQ or exceptions.
/// </summary>
internal static class GpuKernelEmitter
{
    private const string Robe = "(int)" + Names.EmbeddingStorage + ".Robe";
    private const string Full = "(int)" + Names.EmbeddingStorage + ".Full";
    private const string QuotientRemainder = "(int)" + QuotientRemainderEmitter.Storage;
    private const string Warp = "global::ILGPU.Warp";
    private const string Group = "global::ILGPU.Group";

    private static string GatherDelegate =>
        "global::System.Action<" + Names.Index1D + ", " + Names.GpuEmbeddingArgs + ", " + Names.GpuTableViews + ", " + Names.ArrayView +
        "<float>, " + Names.ArrayView + "<ulong>, " + Names.ArrayView + "<long>, " + Names.ArrayView + "<float>>";

    private static string ScatterDelegate =>
        "global::System.Action<" + Names.Index1D + ", " + Names.GpuEmbeddingArgs + ", " + Names.GpuTableViews + ", " + Names.ArrayView +
        "<float>, " + Names.ArrayView + "<ulong>, " + Names.ArrayView + "<long>, " + Names.ArrayView + "<float>, " + Names.ArrayView + "<float>>";

    public static void Write(CodeWriter w, DlrmModel model)
    {
        var plan = new GpuLookupPlan(model);
        w.Line("/// <summary>The generated ILGPU embedding kernels of this model.</summary>");
        w.Open("public sealed class GpuEmbedding : " + Names.GpuEmbeddingKernels);
        w.Line("/// <summary>Threads per (sample, table) lookup: the largest power of two up to min(32, d).</summary>");
        w.Line("public const int LookupLanes = " + Int(plan.Lanes) + ";");
        w.Line();
        w.Line("/// <summary>The one instance (the kernels keep no state).</summary>");
        w.Line("public static GpuEmbedding Instance { get; } = new GpuEmbedding();");
        w.Line();
        w.Line("private GpuEmbedding() { }");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public int ThreadsPerLookup => LookupLanes;");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + GatherDelegate + " LoadGather(" + Names.Accelerator + " accelerator) =>");
        w.Line("    " + Names.KernelLoaders + ".LoadAutoGroupedStreamKernel<" + TypeArguments(GatherDelegate) + ">(accelerator, GatherKernel);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public " + ScatterDelegate + " LoadScatterAtomic(" + Names.Accelerator + " accelerator) =>");
        w.Line("    " + Names.KernelLoaders + ".LoadAutoGroupedStreamKernel<" + TypeArguments(ScatterDelegate) + ">(accelerator, ScatterAtomicKernel);");
        w.Line();
        WriteGatherKernel(w, model, plan);
        w.Line();
        WriteScatterKernel(w, model, plan);
        w.Line();
        WriteBlockStart(w);
        w.Line();
        WriteRowStart(w);
        w.Line();
        w.Close();
    }

    private static string TypeArguments(string actionType) =>
        actionType.Substring("global::System.Action<".Length, actionType.Length - "global::System.Action<".Length - 1);

    /// <summary>
    /// The thread's lookup (pair = sample * TableCount + table) and lane. <c>active</c> is false for threads past the
    /// batch (in the gather they still take part in the warp shuffles, which need every lane).
    /// </summary>
    private static void WriteLookupMapping(CodeWriter w)
    {
        w.Line("int pair = index.X / LookupLanes;");
        w.Line("int lane = index.X - pair * LookupLanes;");
        w.Line("bool active = pair < args.Batch * TableCount;");
        w.Line("int table = pair % TableCount;");
        w.Line("int storage = active ? tables.Storage[table] : " + Full + ";");
        w.Line("bool robe = active && storage == " + Robe + ";");
        w.Line("long recordBase = (long)pair * args.MaxBlocks;");
        w.Line("int outputBase = pair * EmbeddingDim;");
    }

    private static void WriteGatherKernel(CodeWriter w, DlrmModel model, GpuLookupPlan plan)
    {
        w.Line("/// <summary>Gather: lane l of a lookup reads coordinates l, l + LookupLanes, ... (a warp reads 32 consecutive slots");
        w.Line("/// per instruction) and the lookup's block starts are recorded. Extent batch * TableCount * LookupLanes (extra threads");
        w.Line("/// idle). A Full table's out-of-range token (the CPU loops throw) reads zeros and records start -1.</summary>");
        w.Open("public static void GatherKernel(" + Names.Index1D + " index, " + Names.GpuEmbeddingArgs + " args, " + Names.GpuTableViews + " tables, " +
            Names.ArrayView + "<float> weights, " + Names.ArrayView + "<ulong> tokens, " + Names.ArrayView + "<long> blockStarts, " + Names.ArrayView + "<float> output)");
        WriteLookupMapping(w);
        w.Line("ulong token = active ? tokens[pair] : 0UL;");
        w.Line("ulong key = robe ? RobeHash.Key(table, token) : 0UL;");
        w.Line("ulong rowTerm = robe ? RobeHash.RowTerm(key) : 0UL;");
        if (!Unrolling.Applies(model))
        {
            WriteGatherLoop(w, model);
            w.Close();
            return;
        }
        WriteHashedSlots(w, model, plan);
        w.Line("if (!active) return;");
        w.Open("if (robe)");
        if (model.Variant == RobeVariant.Signed) WriteSignLane(w);
        // All loads first, then all stores: the loads do not wait on stores the compiler cannot prove disjoint.
        ForEachStep(w, plan, step => "float v" + step + " = weights[slot" + step + "]" + SignFactor(model, plan, step) + ";", "0f");
        ForEachStep(w, plan, step => "output[outputBase + " + Coordinate(plan, step) + "] = v" + step + ";");
        w.Close();
        w.Open("else if (storage == " + QuotientRemainder + ")");
        w.Line("// Two rows' product; lane 0 records both starts.");
        WriteQuotientRemainderStarts(w);
        ForEachStep(w, plan, step => "float v" + step + " = weights[quotient + " + Coordinate(plan, step) + "] * weights[remainder + " + Coordinate(plan, step) + "];", "0f");
        ForEachStep(w, plan, step => "output[outputBase + " + Coordinate(plan, step) + "] = v" + step + ";");
        w.Close();
        w.Open("else");
        w.Line("// A Full or Hashed row: d consecutive floats; lane 0 records the row's start.");
        w.Line("long rowStart = RowStart(storage, token, tables.Rows[table], tables.TableBase[table]);");
        w.Line("if (lane == 0) blockStarts[recordBase] = rowStart;");
        w.Line("bool inRange = rowStart >= 0;");
        ForEachStep(w, plan, step => "float v" + step + " = inRange ? weights[rowStart + " + Coordinate(plan, step) + "] : 0f;", "0f");
        ForEachStep(w, plan, step => "output[outputBase + " + Coordinate(plan, step) + "] = v" + step + ";");
        w.Close();
        w.Close();
    }

    /// <summary>
    /// slot0.. of the lane's steps from the hash, and the block starts recorded. With the declared Z, when a lookup's
    /// blocks fit its lanes (ceil(d / Z) &lt;= LookupLanes) and its lanes sit in one warp, lane b hashes block b and the
    /// starts reach the other lanes by shuffles (executed by every lane, active or not); otherwise each lane hashes the
    /// block of each of its coordinates (the same number: the hash is a pure function of key and block).
    /// </summary>
    private static void WriteHashedSlots(CodeWriter w, DlrmModel model, GpuLookupPlan plan)
    {
        DeclareSlots(w, plan);
        w.Open("if (args.BlockSize == " + Int(model.BlockSize) + ")");
        w.Line("long range = " + Range(model, Int(model.BlockSize)) + ";");
        if (plan.Blocks <= plan.Lanes)
        {
            w.Open("if (" + Warp + ".WarpSize % LookupLanes == 0 && " + Group + ".DimX % " + Warp + ".WarpSize == 0)");
            w.Line("int mine = 0;");
            w.Open("if (robe && lane < " + Int(plan.Blocks) + ")");
            w.Line("mine = BlockStart(rowTerm, lane, range);");
            w.Line("blockStarts[recordBase + lane] = mine;");
            w.Close();
            w.Line("int firstLane = " + Warp + ".LaneIdx - lane;");
            for (int step = 0; step < plan.Steps; step++)
            {
                string c = Coordinate(plan, step), z = Int(model.BlockSize);
                w.Line("slot" + step + " = " + Slot(model, Warp + ".Shuffle(mine, firstLane + (" + c + ") / " + z + ")", "(" + c + ") % " + z) + ";");
            }
            w.Close();
            w.Open("else if (robe)");
        }
        else w.Open("if (robe)");
        HashEachStep(w, model, plan, Int(model.BlockSize));
        w.Close();
        w.Close();
        w.Open("else if (robe)");
        w.Line("// A run-time Z other than the declared one: the same steps with Z read from the arguments.");
        w.Line("int blockSize = args.BlockSize;");
        w.Line("long range = " + Range(model, "blockSize") + ";");
        HashEachStep(w, model, plan, "blockSize");
        w.Close();
    }

    private static void DeclareSlots(CodeWriter w, GpuLookupPlan plan)
    {
        var names = new string[plan.Steps];
        for (int step = 0; step < plan.Steps; step++) names[step] = "slot" + step + " = 0";
        w.Line("int " + string.Join(", ", names) + ";");
    }

    /// <summary>Every step hashes its coordinate's block (block size <paramref name="z"/>); the block's first coordinate records it.</summary>
    private static void HashEachStep(CodeWriter w, DlrmModel model, GpuLookupPlan plan, string z)
    {
        for (int step = 0; step < plan.Steps; step++)
        {
            string c = Coordinate(plan, step);
            OpenStep(w, plan, step);
            w.Line("int block = (" + c + ") / " + z + ";");
            w.Line("int k = " + c + " - block * " + z + ";");
            w.Line("int start = BlockStart(rowTerm, block, range);");
            w.Line("if (k == 0) blockStarts[recordBase + block] = start;");
            w.Line("slot" + step + " = " + Slot(model, "start", "k") + ";");
            w.Close();
        }
    }

    private static void WriteScatterKernel(CodeWriter w, DlrmModel model, GpuLookupPlan plan)
    {
        w.Line("/// <summary>Gradient scatter: lane l of a lookup atomically adds the gradient of coordinates l, l + LookupLanes, ...");
        w.Line("/// (times the sign for Signed) at the slots the gather recorded; a warp's atomics hit 32 consecutive slots. Same");
        w.Line("/// extent as the gather; the order of the additions is not fixed.</summary>");
        w.Open("public static void ScatterAtomicKernel(" + Names.Index1D + " index, " + Names.GpuEmbeddingArgs + " args, " + Names.GpuTableViews + " tables, " +
            Names.ArrayView + "<float> weights, " + Names.ArrayView + "<ulong> tokens, " + Names.ArrayView + "<long> blockStarts, " + Names.ArrayView + "<float> gradOutput, " + Names.ArrayView + "<float> gradWeights)");
        WriteLookupMapping(w);
        w.Line("if (!active) return;");
        if (!Unrolling.Applies(model))
        {
            WriteScatterLoop(w, model);
            w.Close();
            return;
        }
        w.Open("if (robe)");
        DeclareSlots(w, plan);
        w.Open("if (args.BlockSize == " + Int(model.BlockSize) + ")");
        RecordedSlots(w, model, plan, Int(model.BlockSize));
        w.Close();
        w.Open("else");
        w.Line("int blockSize = args.BlockSize;");
        RecordedSlots(w, model, plan, "blockSize");
        w.Close();
        if (model.Variant == RobeVariant.Signed)
        {
            w.Line("ulong key = RobeHash.Key(table, tokens[pair]);");
            WriteSignLane(w);
        }
        ForEachStep(w, plan, step => "float g" + step + " = gradOutput[outputBase + " + Coordinate(plan, step) + "]" + SignFactor(model, plan, step) + ";", "0f");
        ForEachStep(w, plan, step => Names.Atomic + ".Add(ref gradWeights[slot" + step + "], g" + step + ");");
        w.Close();
        w.Open("else if (storage == " + QuotientRemainder + ")");
        w.Line("// The product rule with the weights the gather read: dQ[q] += g * Rm[r], dRm[r] += g * Q[q].");
        w.Line("long quotient = blockStarts[recordBase], remainder = blockStarts[recordBase + 1];");
        ForEachStep(w, plan, step => "float g" + step + " = gradOutput[outputBase + " + Coordinate(plan, step) + "];", "0f");
        ForEachStep(w, plan, step => "float q" + step + " = weights[quotient + " + Coordinate(plan, step) + "];", "0f");
        ForEachStep(w, plan, step => "float r" + step + " = weights[remainder + " + Coordinate(plan, step) + "];", "0f");
        ForEachStep(w, plan, step => Names.Atomic + ".Add(ref gradWeights[quotient + " + Coordinate(plan, step) + "], g" + step + " * r" + step + ");");
        ForEachStep(w, plan, step => Names.Atomic + ".Add(ref gradWeights[remainder + " + Coordinate(plan, step) + "], g" + step + " * q" + step + ");");
        w.Close();
        w.Open("else");
        w.Line("long rowStart = blockStarts[recordBase];");
        w.Line("if (rowStart < 0) return;");
        ForEachStep(w, plan, step => "float g" + step + " = gradOutput[outputBase + " + Coordinate(plan, step) + "];", "0f");
        ForEachStep(w, plan, step => Names.Atomic + ".Add(ref gradWeights[rowStart + " + Coordinate(plan, step) + "], g" + step + ");");
        w.Close();
        w.Close();
    }

    /// <summary>
    /// The gather of a d beyond <see cref="Unrolling.MaxCoordinates"/>: a loop over the lane's coordinates, each lane
    /// hashing the block of each coordinate itself (no real DLRM gets here; it keeps the source small).
    /// </summary>
    private static void WriteGatherLoop(CodeWriter w, DlrmModel model)
    {
        w.Line("if (!active) return;");
        w.Open("if (robe)");
        w.Line("int blockSize = args.BlockSize;");
        w.Line("long range = " + Range(model, "blockSize") + ";");
        w.Open("for (int c = lane; c < EmbeddingDim; c += LookupLanes)");
        w.Line("int block = c / blockSize;");
        w.Line("int k = c - block * blockSize;");
        w.Line("int start = BlockStart(rowTerm, block, range);");
        w.Line("if (k == 0) blockStarts[recordBase + block] = start;");
        w.Line("output[outputBase + c] = weights[" + Slot(model, "start", "k") + "]" + LoopSignFactor(model) + ";");
        w.Close();
        w.Close();
        w.Open("else if (storage == " + QuotientRemainder + ")");
        WriteQuotientRemainderStarts(w);
        w.Line("for (int c = lane; c < EmbeddingDim; c += LookupLanes) output[outputBase + c] = weights[quotient + c] * weights[remainder + c];");
        w.Close();
        w.Open("else");
        w.Line("long rowStart = RowStart(storage, token, tables.Rows[table], tables.TableBase[table]);");
        w.Line("if (lane == 0) blockStarts[recordBase] = rowStart;");
        w.Line("for (int c = lane; c < EmbeddingDim; c += LookupLanes) output[outputBase + c] = rowStart >= 0 ? weights[rowStart + c] : 0f;");
        w.Close();
    }

    /// <summary>The scatter of a d beyond <see cref="Unrolling.MaxCoordinates"/>: a loop over the lane's coordinates.</summary>
    private static void WriteScatterLoop(CodeWriter w, DlrmModel model)
    {
        w.Open("if (robe)");
        if (model.Variant == RobeVariant.Signed) w.Line("ulong key = RobeHash.Key(table, tokens[pair]);");
        w.Line("int blockSize = args.BlockSize;");
        w.Open("for (int c = lane; c < EmbeddingDim; c += LookupLanes)");
        w.Line("int block = c / blockSize;");
        w.Line(Names.Atomic + ".Add(ref gradWeights[" + Slot(model, "(int)blockStarts[recordBase + block]", "c - block * blockSize") + "], gradOutput[outputBase + c]" + LoopSignFactor(model) + ");");
        w.Close();
        w.Close();
        w.Open("else if (storage == " + QuotientRemainder + ")");
        w.Line("long quotient = blockStarts[recordBase], remainder = blockStarts[recordBase + 1];");
        w.Open("for (int c = lane; c < EmbeddingDim; c += LookupLanes)");
        w.Line("float g = gradOutput[outputBase + c], q = weights[quotient + c], r = weights[remainder + c];");
        w.Line(Names.Atomic + ".Add(ref gradWeights[quotient + c], g * r);");
        w.Line(Names.Atomic + ".Add(ref gradWeights[remainder + c], g * q);");
        w.Close();
        w.Close();
        w.Open("else");
        w.Line("long rowStart = blockStarts[recordBase];");
        w.Line("if (rowStart < 0) return;");
        w.Line("for (int c = lane; c < EmbeddingDim; c += LookupLanes) " + Names.Atomic + ".Add(ref gradWeights[rowStart + c], gradOutput[outputBase + c]);");
        w.Close();
    }

    private static string LoopSignFactor(DlrmModel model) => model.Variant == RobeVariant.Signed ? " * RobeHash.SignOf(key, c)" : "";

    /// <summary>slot0.. from the block starts the gather recorded (block size <paramref name="z"/>).</summary>
    private static void RecordedSlots(CodeWriter w, DlrmModel model, GpuLookupPlan plan, string z)
    {
        for (int step = 0; step < plan.Steps; step++)
        {
            string c = Coordinate(plan, step);
            OpenStep(w, plan, step);
            w.Line("int block = (" + c + ") / " + z + ";");
            w.Line("slot" + step + " = " + Slot(model, "(int)blockStarts[recordBase + block]", c + " - block * " + z) + ";");
            w.Close();
        }
    }

    /// <summary>
    /// One line per step; the partial last step (when LookupLanes does not divide d) runs on the lanes that have a
    /// coordinate there, and a declaration in it (<paramref name="idle"/> given) gets that value on the other lanes.
    /// </summary>
    private static void ForEachStep(CodeWriter w, GpuLookupPlan plan, System.Func<int, string> line, string? idle = null)
    {
        for (int step = 0; step < plan.Steps; step++)
        {
            string text = line(step);
            if (!plan.IsPartial(step)) w.Line(text);
            else if (idle is null) w.Line("if (" + TailTest(plan) + ") " + text);
            else
            {
                // "float v3 = expr;" becomes "float v3 = tail ? expr : 0f;"
                int equals = text.IndexOf(" = ", System.StringComparison.Ordinal);
                w.Line(text.Substring(0, equals) + " = " + TailTest(plan) + " ? " + text.Substring(equals + 3, text.Length - equals - 4) + " : " + idle + ";");
            }
        }
    }

    /// <summary>Opens a step's scope: a plain block, or for the partial last step one run by the lanes that have a coordinate there.</summary>
    private static void OpenStep(CodeWriter w, GpuLookupPlan plan, int step)
    {
        if (plan.IsPartial(step)) w.Open("if (" + TailTest(plan) + ")");
        else w.OpenBlock();
    }

    private static string TailTest(GpuLookupPlan plan) => "lane < " + Int(plan.TailLanes);

    /// <summary>The coordinate lane + LookupLanes * step.</summary>
    private static string Coordinate(GpuLookupPlan plan, int step) => step == 0 ? "lane" : "lane + " + Int(plan.Lanes * step);

    private static string Range(DlrmModel model, string z) =>
        model.Variant == RobeVariant.Circular ? "args.RobeSlots" : "args.RobeSlots - " + z + " + 1";

    /// <summary>The slot at <paramref name="k"/> after a block start (wrapped modulo m for Circular; below 2^31: starts are below P).</summary>
    private static string Slot(DlrmModel model, string start, string k) =>
        model.Variant == RobeVariant.Circular
            ? "(int)RobeHash.Wrap((long)" + start + " + " + k + ", args.RobeSlots)"
            : start + " + " + k;

    /// <summary>
    /// Signed: the sign hash of coordinate lane + L * step is (SignRowTerm + SignTerm(lane) + (L * step * S2 mod P)) mod P, so a
    /// lane computes SignTerm once and adds a folded literal per step (the same number as SignTerm of the coordinate).
    /// </summary>
    private static void WriteSignLane(CodeWriter w) =>
        w.Line("ulong signLane = RobeHash.AddMod(RobeHash.SignRowTerm(key), RobeHash.SignTerm(lane));");

    private static string SignFactor(DlrmModel model, GpuLookupPlan plan, int step)
    {
        if (model.Variant != RobeVariant.Signed) return "";
        if (step == 0) return " * RobeHash.Sign(signLane)";
        ulong stepTerm = (ulong)(plan.Lanes * step) * RobeConstants.S2 % RobeConstants.P;
        return " * RobeHash.Sign(RobeHash.AddMod(signLane, " + ULong(stepTerm) + "))";
    }

    /// <summary>
    /// A ROBE block's start slot from the row's term (computed once per lookup): RobeHash's own functions, narrowed to int
    /// (a start is below P &lt; 2^31).
    /// </summary>
    private static void WriteBlockStart(CodeWriter w)
    {
        w.Line("/// <summary>Start slot of ROBE block <paramref name=\"block\"/>: RobeHash.StartOf(RobeHash.Hash(key, block), range).</summary>");
        w.Line(Names.Inline);
        w.Line("private static int BlockStart(ulong rowTerm, int block, long range) =>");
        w.Line("    (int)RobeHash.StartOf(RobeHash.HashFromRowTerm(rowTerm, block), range);");
    }

    /// <summary>A QuotientRemainder lookup's two row starts (TableRows); lane 0 records them.</summary>
    private static void WriteQuotientRemainderStarts(CodeWriter w)
    {
        w.Line("long quotient = TableRows.QuotientRowStart(token, tables.QuotientRows[table], tables.Rows[table], tables.TableBase[table]);");
        w.Line("long remainder = TableRows.RemainderRowStart(token, tables.QuotientRows[table], tables.Rows[table], tables.TableBase[table]);");
        w.Open("if (lane == 0)");
        w.Line("blockStarts[recordBase] = quotient;");
        w.Line("blockStarts[recordBase + 1] = remainder;");
        w.Close();
    }

    private static void WriteRowStart(CodeWriter w)
    {
        w.Line("/// <summary>Start of a Full (row = token) or Hashed (row = token mod rows) row; -1 for a Full token out of range.</summary>");
        w.Open("private static long RowStart(int storage, ulong token, long rows, long tableBase)");
        w.Line("if (storage == " + Full + " && token >= (ulong)rows) return -1L;");
        w.Line("return TableRows.Start(tableBase, TableRows.FullOrHashedRow(storage == " + Full + ", token, rows));");
        w.Close();
    }
}
