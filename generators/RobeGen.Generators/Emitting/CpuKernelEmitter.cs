using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;
using static RobeGen.Generators.Emitting.CodeWriter;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// The plain-C# embedding loops (<c>CpuEmbedding</c>, an IEmbeddingKernels): per sample, one line per table with
/// its folded key; for the declared Z every block is unrolled with its K_c literal; any other Z runs a loop over
/// blocks that calls the same hash with a run-time block index.
/// </summary>
internal static class CpuKernelEmitter
{
    /// <summary>Blocks up to this width are copied coordinate by coordinate; wider ones with a vectorized span copy.</summary>
    private const int ScalarBlockWidth = 4;

    private const string Robe = Names.EmbeddingStorage + ".Robe";
    private const string Full = Names.EmbeddingStorage + ".Full";
    private const string QuotientRemainder = QuotientRemainderEmitter.Storage;

    public static void Write(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>The generated plain-C# embedding loops of this model (the CPU backend's hot path).</summary>");
        w.Open("public sealed class CpuEmbedding : " + Names.EmbeddingKernels);
        w.Line("/// <summary>The one instance (the loops keep no state).</summary>");
        w.Line("public static CpuEmbedding Instance { get; } = new CpuEmbedding();");
        w.Line();
        w.Line("private CpuEmbedding() { }");
        w.Line();
        WriteGather(w, model);
        w.Line();
        WriteScatter(w, model);
        w.Line();
        WriteSlotOf(w, model);
        w.Line();
        WriteGatherRun(w, model);
        w.Line();
        WriteScatterRun(w, model);
        w.Line();
        WriteGatherDeclared(w, model);
        w.Line();
        WriteGatherGeneric(w, model);
        w.Line();
        WriteScatterDeclared(w, model);
        w.Line();
        WriteScatterGeneric(w, model);
        w.Line();
        WriteRowHelpers(w, model);
        w.Line();
        QuotientRemainderEmitter.WriteCpuHelpers(w);
        w.Line();
        WriteChecks(w);
        w.Close();
    }

    /// <summary>Whether some block of the declared Z is copied coordinate by coordinate (so needs the block local).</summary>
    private static bool UsesScalarBlocks(DlrmModel model)
    {
        if (Signed(model)) return true;
        foreach (BlockPlan b in BlockPlan.For(model))
        {
            if (b.Width <= ScalarBlockWidth) return true;
        }
        return false;
    }

    private static bool Signed(DlrmModel model) => model.Variant == RobeVariant.Signed;
    private static bool Circular(DlrmModel model) => model.Variant == RobeVariant.Circular;

    private static string RangeExpression(DlrmModel model, string slots, string blockSize) =>
        Circular(model) ? slots : slots + " - " + blockSize + " + 1";

    private static void WriteGather(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <inheritdoc/>");
        w.Open("public void Gather(" + Names.EmbeddingLayout + " layout, " + Names.ReadOnlySpan + "<float> weights, " + Names.ReadOnlySpan +
            "<ulong> tokens, int batch, " + Names.Span + "<long> blockStarts, " + Names.Span + "<float> output)");
        w.Line("CheckCall(layout, batch, tokens.Length, blockStarts.Length, output.Length, \"output\", weights.Length, \"weights\");");
        w.Line("var run = new GatherRun(layout, weights, blockStarts, output);");
        w.Open("for (int sample = 0; sample < batch; sample++)");
        w.Line("int pair = sample * TableCount;");
        foreach (TableModel table in model.Tables)
        {
            string at = table.Index == 0 ? "pair" : "pair + " + Int(table.Index);
            w.Line("run.Table(" + Int(table.Index) + ", " + at + ", tokens[" + at + "], TableHash." + Identifier(table.Name) + ".Key(tokens[" + at + "]));");
        }
        w.Close();
        w.Close();
    }

    private static void WriteScatter(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <inheritdoc/>");
        w.Open("public void ScatterGradient(" + Names.EmbeddingLayout + " layout, " + Names.ReadOnlySpan + "<float> weights, " + Names.ReadOnlySpan + "<ulong> tokens, " +
            Names.ReadOnlySpan + "<long> blockStarts, int batch, " + Names.ReadOnlySpan + "<float> gradOutput, " + Names.Span + "<float> gradWeights)");
        w.Line("CheckCall(layout, batch, tokens.Length, blockStarts.Length, gradOutput.Length, \"gradOutput\", gradWeights.Length, \"gradWeights\");");
        w.Line("CheckWeights(layout, weights.Length);");
        w.Line("var run = new ScatterRun(layout, weights, blockStarts, gradOutput, gradWeights);");
        w.Open("for (int sample = 0; sample < batch; sample++)");
        w.Line("int pair = sample * TableCount;");
        if (Signed(model))
        {
            // Only the sign needs the token: the slots come from the block starts the gather recorded.
            foreach (TableModel table in model.Tables)
            {
                string at = table.Index == 0 ? "pair" : "pair + " + Int(table.Index);
                w.Line("run.Table(" + Int(table.Index) + ", " + at + ", TableHash." + Identifier(table.Name) + ".Key(tokens[" + at + "]));");
            }
        }
        else
        {
            w.Line("for (int table = 0; table < TableCount; table++) run.Table(table, pair + table);");
        }
        w.Close();
        w.Close();
    }

    private static void WriteSlotOf(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <inheritdoc/>");
        w.Open("public (long Slot, float Sign) SlotOf(" + Names.EmbeddingLayout + " layout, int table, ulong token, int j)");
        w.Line("CheckLayout(layout);");
        w.Line("if ((uint)table >= TableCount) throw new " + Names.ArgumentOutOfRangeException + "(nameof(table), table, \"table must be in [0, \" + TableCount + \")\");");
        w.Line("if ((uint)j >= EmbeddingDim) throw new " + Names.ArgumentOutOfRangeException + "(nameof(j), j, \"j must be in [0, \" + EmbeddingDim + \")\");");
        w.Line(Names.EmbeddingStorage + " storage = layout.Storage[table];");
        w.Line("if (storage == " + QuotientRemainder + ") throw new global::System.NotSupportedException($\"Table {Declaration.Tables[table].Name} is QuotientRemainder: coordinate j reads the product of two slots, not one.\");");
        w.Line("if (storage != " + Robe + ") return (RowStart(table, storage, token, layout.Rows[table], layout.TableBase[table]) + j, 1f);");
        w.Line("int blockSize = layout.BlockSize;");
        w.Line("ulong key = RobeHash.Key(table, token);");
        w.Line("long start = RobeHash.StartOf(RobeHash.Hash(key, j / blockSize), " + RangeExpression(model, "layout.RobeSlots", "blockSize") + ");");
        if (Circular(model)) w.Line("return (RobeHash.Wrap(start + j % blockSize, layout.RobeSlots), 1f);");
        else if (Signed(model)) w.Line("return (start + j % blockSize, RobeHash.SignOf(key, j));");
        else w.Line("return (start + j % blockSize, 1f);");
        w.Close();
    }

    private static void WriteGatherRun(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>The layout of one Gather call, read once (no allocation), and the dispatch on a table's run-time storage.</summary>");
        w.Open("private readonly ref struct GatherRun");
        w.Line("private readonly " + Names.ReadOnlySpan + "<float> _weights;");
        w.Line("private readonly " + Names.Span + "<long> _blockStarts;");
        w.Line("private readonly " + Names.Span + "<float> _output;");
        WriteRunLayoutFields(w, gather: true);
        w.Line();
        w.Open("public GatherRun(" + Names.EmbeddingLayout + " layout, " + Names.ReadOnlySpan + "<float> weights, " + Names.Span + "<long> blockStarts, " + Names.Span + "<float> output)");
        w.Line("_weights = weights;");
        w.Line("_blockStarts = blockStarts;");
        w.Line("_output = output;");
        WriteRunLayoutAssignments(w, model, gather: true);
        w.Close();
        w.Line();
        w.Open("public void Table(int table, int pair, ulong token, ulong key)");
        w.Line(Names.Span + "<long> starts = _blockStarts.Slice(pair * _maxBlocks, _maxBlocks);");
        w.Line(Names.Span + "<float> embedding = _output.Slice(pair * EmbeddingDim, EmbeddingDim);");
        w.Line(Names.EmbeddingStorage + " storage = _storage[table];");
        w.Line("if (storage == " + QuotientRemainder + ") GatherQuotientRemainder(token, _quotientRows[table], _rows[table], _tableBase[table], _weights, starts, embedding);");
        w.Line("else if (storage != " + Robe + ") GatherRow(table, storage, token, _rows[table], _tableBase[table], _weights, starts, embedding);");
        w.Line("else if (_declaredBlockSize) GatherDeclared(key, _weights, _slots, _range, starts, embedding);");
        w.Line("else GatherGeneric(key, _weights, _slots, _blockSize, _range, starts, embedding);");
        w.Close();
        w.Close();
    }

    private static void WriteScatterRun(CodeWriter w, DlrmModel model)
    {
        string key = Signed(model) ? ", ulong key" : "";
        string keyArgument = Signed(model) ? "key, " : "";
        w.Line("/// <summary>The layout of one ScatterGradient call, read once (no allocation), and the dispatch on a table's run-time storage.</summary>");
        w.Open("private readonly ref struct ScatterRun");
        w.Line("private readonly " + Names.ReadOnlySpan + "<float> _weights;");
        w.Line("private readonly " + Names.ReadOnlySpan + "<long> _blockStarts;");
        w.Line("private readonly " + Names.ReadOnlySpan + "<float> _gradOutput;");
        w.Line("private readonly " + Names.Span + "<float> _gradWeights;");
        WriteRunLayoutFields(w, gather: false);
        w.Line();
        w.Open("public ScatterRun(" + Names.EmbeddingLayout + " layout, " + Names.ReadOnlySpan + "<float> weights, " + Names.ReadOnlySpan + "<long> blockStarts, " +
            Names.ReadOnlySpan + "<float> gradOutput, " + Names.Span + "<float> gradWeights)");
        w.Line("_weights = weights;");
        w.Line("_blockStarts = blockStarts;");
        w.Line("_gradOutput = gradOutput;");
        w.Line("_gradWeights = gradWeights;");
        WriteRunLayoutAssignments(w, model, gather: false);
        w.Close();
        w.Line();
        w.Open("public void Table(int table, int pair" + key + ")");
        w.Line(Names.ReadOnlySpan + "<long> starts = _blockStarts.Slice(pair * _maxBlocks, _maxBlocks);");
        w.Line(Names.ReadOnlySpan + "<float> gradient = _gradOutput.Slice(pair * EmbeddingDim, EmbeddingDim);");
        w.Line("if (_storage[table] == " + QuotientRemainder + ") ScatterQuotientRemainder(starts, gradient, _weights, _gradWeights);");
        w.Line("else if (_storage[table] != " + Robe + ") AddInto(gradient, _gradWeights.Slice(checked((int)starts[0]), EmbeddingDim));");
        w.Line("else if (_declaredBlockSize) ScatterDeclared(" + keyArgument + "starts, gradient, _gradWeights, _slots);");
        w.Line("else ScatterGeneric(" + keyArgument + "starts, gradient, _gradWeights, _slots, _blockSize);");
        w.Close();
        w.Close();
    }

    /// <summary>The layout values a run reads once; the gather also needs the rows and the starts' modulus (the
    /// scatter takes its slots from the recorded block starts).</summary>
    private static void WriteRunLayoutFields(CodeWriter w, bool gather)
    {
        w.Line("private readonly " + Names.ImmutableArray + "<" + Names.EmbeddingStorage + "> _storage;");
        if (gather)
        {
            w.Line("private readonly " + Names.ImmutableArray + "<long> _rows;");
            w.Line("private readonly " + Names.ImmutableArray + "<long> _quotientRows;");
            w.Line("private readonly " + Names.ImmutableArray + "<long> _tableBase;");
        }
        w.Line("private readonly int _maxBlocks;");
        w.Line("private readonly int _blockSize;");
        w.Line("private readonly long _slots;");
        if (gather)
        {
            w.Line("/// <summary>The start's modulus: m - Z + 1 (blocks never wrap), or m for Circular.</summary>");
            w.Line("private readonly long _range;");
        }
        w.Line("private readonly bool _declaredBlockSize;");
    }

    private static void WriteRunLayoutAssignments(CodeWriter w, DlrmModel model, bool gather)
    {
        w.Line("_storage = layout.Storage;");
        if (gather)
        {
            w.Line("_rows = layout.Rows;");
            w.Line("_quotientRows = layout.QuotientRows;");
            w.Line("_tableBase = layout.TableBase;");
        }
        w.Line("_maxBlocks = layout.MaxBlocks;");
        w.Line("_blockSize = layout.BlockSize;");
        w.Line("_slots = layout.RobeSlots;");
        if (gather) w.Line("_range = " + RangeExpression(model, "_slots", "_blockSize") + ";");
        w.Line("_declaredBlockSize = layout.IsDeclaredBlockSize;");
    }

    private static void WriteGatherDeclared(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>One ROBE embedding with the declared Z = " + Int(model.BlockSize) + ": every block unrolled with its K_c literal.</summary>");
        w.Open("private static void GatherDeclared(ulong key, " + Names.ReadOnlySpan + "<float> weights, long slots, long range, " +
            Names.Span + "<long> starts, " + Names.Span + "<float> embedding)");
        if (!Unrolling.Applies(model))
        {
            w.Line("GatherGeneric(key, weights, slots, BlockSize, range, starts, embedding);");
            w.Close();
            return;
        }
        w.Line("ulong row = RobeHash.RowTerm(key);");
        if (Signed(model)) w.Line("ulong sign = RobeHash.SignRowTerm(key);");
        w.Line("long start;");
        if (UsesScalarBlocks(model)) w.Line(Names.ReadOnlySpan + "<float> block;");
        foreach (BlockPlan b in BlockPlan.For(model))
        {
            w.Line("// Block " + Int(b.Index) + ": coordinates " + Int(b.First) + ".." + Int(b.First + b.Width - 1) + ".");
            w.Line("start = RobeHash.StartOf(RobeHash.AddMod(row, " + ULong(b.Term) + "), range);");
            w.Line("starts[" + Int(b.Index) + "] = start;");
            if (Circular(model))
            {
                w.Open("if (start + " + Int(b.Width) + " <= slots)");
                WriteBlockCopy(w, model, b);
                w.Close();
                w.Line("else CopyWrapped(weights, start, slots, embedding.Slice(" + Int(b.First) + ", " + Int(b.Width) + "));");
            }
            else
            {
                WriteBlockCopy(w, model, b);
            }
        }
        w.Close();
    }

    /// <summary>Copies one contiguous block (times the signs for Signed) into the embedding.</summary>
    private static void WriteBlockCopy(CodeWriter w, DlrmModel model, BlockPlan b)
    {
        if (!Signed(model) && b.Width > ScalarBlockWidth)
        {
            w.Line("weights.Slice((int)start, " + Int(b.Width) + ").CopyTo(embedding.Slice(" + Int(b.First) + ", " + Int(b.Width) + "));");
            return;
        }
        w.Line("block = weights.Slice((int)start, " + Int(b.Width) + ");");
        for (int k = 0; k < b.Width; k++)
        {
            int j = b.First + k;
            w.Line(Signed(model)
                ? "embedding[" + Int(j) + "] = block[" + Int(k) + "] * RobeHash.Sign(RobeHash.AddMod(sign, " + ULong(RobeConstants.SignTerm(j)) + "));"
                : "embedding[" + Int(j) + "] = block[" + Int(k) + "];");
        }
    }

    private static void WriteGatherGeneric(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>One ROBE embedding with a run-time Z: a loop over blocks calling the same hash with the block index.</summary>");
        w.Open("private static void GatherGeneric(ulong key, " + Names.ReadOnlySpan + "<float> weights, long slots, int blockSize, long range, " +
            Names.Span + "<long> starts, " + Names.Span + "<float> embedding)");
        if (Signed(model)) w.Line("ulong sign = RobeHash.SignRowTerm(key);");
        w.Open("for (int block = 0, first = 0; first < EmbeddingDim; block++, first += blockSize)");
        w.Line("int width = global::System.Math.Min(blockSize, EmbeddingDim - first);");
        w.Line("long start = RobeHash.StartOf(RobeHash.Hash(key, block), range);");
        w.Line("starts[block] = start;");
        if (Signed(model))
        {
            w.Line(Names.ReadOnlySpan + "<float> source = weights.Slice((int)start, width);");
            w.Line("for (int k = 0; k < width; k++) embedding[first + k] = source[k] * RobeHash.Sign(RobeHash.AddMod(sign, RobeHash.SignTerm(first + k)));");
        }
        else if (Circular(model))
        {
            w.Line("if (start + width <= slots) weights.Slice((int)start, width).CopyTo(embedding.Slice(first, width));");
            w.Line("else CopyWrapped(weights, start, slots, embedding.Slice(first, width));");
        }
        else
        {
            w.Line("weights.Slice((int)start, width).CopyTo(embedding.Slice(first, width));");
        }
        w.Close();
        w.Close();
    }

    private static void WriteScatterDeclared(CodeWriter w, DlrmModel model)
    {
        string key = Signed(model) ? "ulong key, " : "";
        w.Line("/// <summary>Adds one ROBE embedding's gradient at its recorded block starts, every block unrolled for Z = " + Int(model.BlockSize) + ".</summary>");
        w.Open("private static void ScatterDeclared(" + key + Names.ReadOnlySpan + "<long> starts, " + Names.ReadOnlySpan + "<float> gradient, " +
            Names.Span + "<float> gradWeights, long slots)");
        if (!Unrolling.Applies(model))
        {
            w.Line("ScatterGeneric(" + (Signed(model) ? "key, " : "") + "starts, gradient, gradWeights, slots, BlockSize);");
            w.Close();
            return;
        }
        if (Signed(model)) w.Line("ulong sign = RobeHash.SignRowTerm(key);");
        w.Line("long start;");
        if (UsesScalarBlocks(model)) w.Line(Names.Span + "<float> block;");
        foreach (BlockPlan b in BlockPlan.For(model))
        {
            w.Line("// Block " + Int(b.Index) + ": coordinates " + Int(b.First) + ".." + Int(b.First + b.Width - 1) + ".");
            w.Line("start = starts[" + Int(b.Index) + "];");
            if (Circular(model))
            {
                w.Open("if (start + " + Int(b.Width) + " <= slots)");
                WriteBlockAdd(w, model, b);
                w.Close();
                w.Line("else AddWrapped(gradient.Slice(" + Int(b.First) + ", " + Int(b.Width) + "), gradWeights, start, slots);");
            }
            else
            {
                WriteBlockAdd(w, model, b);
            }
        }
        w.Close();
    }

    private static void WriteBlockAdd(CodeWriter w, DlrmModel model, BlockPlan b)
    {
        if (!Signed(model) && b.Width > ScalarBlockWidth)
        {
            w.Line("AddInto(gradient.Slice(" + Int(b.First) + ", " + Int(b.Width) + "), gradWeights.Slice((int)start, " + Int(b.Width) + "));");
            return;
        }
        w.Line("block = gradWeights.Slice((int)start, " + Int(b.Width) + ");");
        for (int k = 0; k < b.Width; k++)
        {
            int j = b.First + k;
            w.Line(Signed(model)
                ? "block[" + Int(k) + "] += gradient[" + Int(j) + "] * RobeHash.Sign(RobeHash.AddMod(sign, " + ULong(RobeConstants.SignTerm(j)) + "));"
                : "block[" + Int(k) + "] += gradient[" + Int(j) + "];");
        }
    }

    private static void WriteScatterGeneric(CodeWriter w, DlrmModel model)
    {
        string key = Signed(model) ? "ulong key, " : "";
        w.Line("/// <summary>Adds one ROBE embedding's gradient at its recorded block starts for a run-time Z.</summary>");
        w.Open("private static void ScatterGeneric(" + key + Names.ReadOnlySpan + "<long> starts, " + Names.ReadOnlySpan + "<float> gradient, " +
            Names.Span + "<float> gradWeights, long slots, int blockSize)");
        if (Signed(model)) w.Line("ulong sign = RobeHash.SignRowTerm(key);");
        w.Open("for (int block = 0, first = 0; first < EmbeddingDim; block++, first += blockSize)");
        w.Line("int width = global::System.Math.Min(blockSize, EmbeddingDim - first);");
        w.Line("long start = starts[block];");
        if (Signed(model))
        {
            w.Line(Names.Span + "<float> target = gradWeights.Slice((int)start, width);");
            w.Line("for (int k = 0; k < width; k++) target[k] += gradient[first + k] * RobeHash.Sign(RobeHash.AddMod(sign, RobeHash.SignTerm(first + k)));");
        }
        else if (Circular(model))
        {
            w.Line("if (start + width <= slots) AddInto(gradient.Slice(first, width), gradWeights.Slice((int)start, width));");
            w.Line("else AddWrapped(gradient.Slice(first, width), gradWeights, start, slots);");
        }
        else
        {
            w.Line("AddInto(gradient.Slice(first, width), gradWeights.Slice((int)start, width));");
        }
        w.Close();
        w.Close();
    }

    private static void WriteRowHelpers(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>A Full or Hashed table's row: one block of d floats.</summary>");
        w.Open("private static void GatherRow(int table, " + Names.EmbeddingStorage + " storage, ulong token, long rows, long tableBase, " +
            Names.ReadOnlySpan + "<float> weights, " + Names.Span + "<long> starts, " + Names.Span + "<float> embedding)");
        w.Line("long start = RowStart(table, storage, token, rows, tableBase);");
        w.Line("starts[0] = start;");
        w.Line("weights.Slice(checked((int)start), EmbeddingDim).CopyTo(embedding);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Start of a Full (row = token, which must be below the row count) or Hashed (row = token mod rows) table's row.</summary>");
        w.Open("private static long RowStart(int table, " + Names.EmbeddingStorage + " storage, ulong token, long rows, long tableBase)");
        w.Open("if (storage == " + Full + " && token >= (ulong)rows)");
        w.Line("throw new " + Names.ArgumentOutOfRangeException + "(\"tokens\", token, $\"Table {Declaration.Tables[table].Name} (index {table}) is Full with {rows} rows, " +
            "so its tokens must be vocabulary indices below {rows}; got {token}. Map the column through a vocabulary, declare a larger Cardinality, or use Storage = Hashed.\");");
        w.Close();
        w.Line("return TableRows.Start(tableBase, TableRows.FullOrHashedRow(storage == " + Full + ", token, rows));");
        w.Close();
        w.Line();
        w.Line("/// <summary>target += source (vectorized).</summary>");
        w.Line(Names.Inline);
        w.Line("private static void AddInto(" + Names.ReadOnlySpan + "<float> source, " + Names.Span + "<float> target) => " +
            Names.TensorPrimitives + ".Add(target, source, target);");
        if (Circular(model))
        {
            w.Line();
            w.Line("/// <summary>A block that runs past the array's end: slot (start + k) mod m.</summary>");
            w.Open("private static void CopyWrapped(" + Names.ReadOnlySpan + "<float> weights, long start, long slots, " + Names.Span + "<float> destination)");
            w.Line("for (int k = 0; k < destination.Length; k++) destination[k] = weights[(int)RobeHash.Wrap(start + k, slots)];");
            w.Close();
            w.Line();
            w.Line("/// <summary>Adds a block's gradient that runs past the array's end: slot (start + k) mod m.</summary>");
            w.Open("private static void AddWrapped(" + Names.ReadOnlySpan + "<float> gradient, " + Names.Span + "<float> gradWeights, long start, long slots)");
            w.Line("for (int k = 0; k < gradient.Length; k++) gradWeights[(int)RobeHash.Wrap(start + k, slots)] += gradient[k];");
            w.Close();
        }
    }

    private static void WriteChecks(CodeWriter w)
    {
        w.Open("private static void CheckLayout(" + Names.EmbeddingLayout + " layout)");
        w.Line("if (layout is null) throw new global::System.ArgumentNullException(nameof(layout));");
        w.Line("if (layout.Declaration.Fingerprint != Fingerprint)");
        w.Line("    throw new " + Names.ArgumentException + "($\"The layout was made for {layout.Declaration.Name} (fingerprint {layout.Declaration.Fingerprint}), " +
            "not for {Declaration.Name} (fingerprint {Fingerprint}); build it with EmbeddingLayout.FromDeclaration({Declaration.Name}.Declaration).\", nameof(layout));");
        w.Close();
        w.Line();
        w.Open("private static void CheckCall(" + Names.EmbeddingLayout + " layout, int batch, int tokens, int blockStarts, int embeddings, string embeddingsName, int weights, string weightsName)");
        w.Line("CheckLayout(layout);");
        w.Line("if (batch < 0) throw new " + Names.ArgumentOutOfRangeException + "(nameof(batch), batch, \"batch must not be negative.\");");
        w.Line("long pairs = (long)batch * TableCount;");
        w.Line("if (tokens < pairs) throw new " + Names.ArgumentException + "($\"tokens holds {tokens} values; {batch} samples x {TableCount} tables need {pairs}.\", \"tokens\");");
        w.Line("if (blockStarts < pairs * layout.MaxBlocks) throw new " + Names.ArgumentException +
            "($\"blockStarts holds {blockStarts} values; {batch} samples x {TableCount} tables x {layout.MaxBlocks} blocks need {pairs * layout.MaxBlocks}.\", \"blockStarts\");");
        w.Line("if (embeddings < pairs * EmbeddingDim) throw new " + Names.ArgumentException +
            "($\"{embeddingsName} holds {embeddings} values; {batch} samples x {TableCount} tables x {EmbeddingDim} need {pairs * EmbeddingDim}.\", embeddingsName);");
        w.Line("if (weights < layout.TotalParameters) throw new " + Names.ArgumentException +
            "($\"{weightsName} holds {weights} floats; the layout's embedding array has {layout.TotalParameters}.\", weightsName);");
        w.Close();
        w.Line();
        w.Line("/// <summary>The scatter reads the weights only for QuotientRemainder tables (the product rule); then they must be the whole array.</summary>");
        w.Open("private static void CheckWeights(" + Names.EmbeddingLayout + " layout, int weights)");
        w.Line("if (layout.HasQuotientRemainder && weights < layout.TotalParameters) throw new " + Names.ArgumentException +
            "($\"weights holds {weights} floats; the layout's embedding array has {layout.TotalParameters} (QuotientRemainder gradients read them).\", \"weights\");");
        w.Close();
    }
}
