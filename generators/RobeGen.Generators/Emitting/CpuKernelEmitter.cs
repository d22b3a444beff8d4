using System.Collections.Generic;
using System.Linq;
using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;
using static RobeGen.Generators.Emitting.Literals;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// The plain-C# embedding loops (<c>CpuEmbedding</c>, a DeclaredEmbeddingKernels, which holds the checks and hands any
/// other layout to the generic loops). Only what the declaration decides is emitted: per sample one line per table for
/// its declared storage (ROBE with its folded token offset; Full, Hashed and QuotientRemainder rows through the
/// runtime's RowTable), and for the ROBE tables every block of the declared Z unrolled with its K_c literal.
/// </summary>
internal static class CpuKernelEmitter
{
    /// <summary>Blocks up to this width are copied coordinate by coordinate; wider ones with a vectorized span copy.</summary>
    private const int ScalarBlockWidth = 4;

    private const string GatherParameters = Names.EmbeddingLayout + " layout, " + Names.ReadOnlySpan + "<float> weights, " + Names.ReadOnlySpan +
        "<ulong> tokens, int batch, " + Names.Span + "<long> blockStarts, " + Names.Span + "<float> output";

    private const string ScatterParameters = Names.EmbeddingLayout + " layout, " + Names.ReadOnlySpan + "<float> weights, " + Names.ReadOnlySpan +
        "<ulong> tokens, " + Names.ReadOnlySpan + "<long> blockStarts, int batch, " + Names.ReadOnlySpan + "<float> gradOutput, " + Names.Span + "<float> gradWeights";

    public static void Write(SourceWriter w, DlrmModel model)
    {
        using (w.Block($$"""
            /// <summary>The generated plain-C# embedding loops of this model (the CPU backend's hot path) for its declared layout.</summary>
            public sealed class CpuEmbedding : {{Names.DeclaredEmbeddingKernels}}
            """))
        {
            w.WriteLine("""
                /// <summary>The one instance (the loops keep no state).</summary>
                public static CpuEmbedding Instance { get; } = new CpuEmbedding();

                private CpuEmbedding() : base(Declaration) { }

                """);
            if (!Unrolling.Applies(model))
            {
                // Too wide to unroll: the declared layout runs the generic loops (no real DLRM gets here).
                w.WriteLine($$"""
                    /// <inheritdoc/>
                    protected override void GatherDeclared({{GatherParameters}}) =>
                        GatherGeneric(layout, weights, tokens, batch, blockStarts, output);

                    /// <inheritdoc/>
                    protected override void ScatterDeclared({{ScatterParameters}}) =>
                        ScatterGeneric(layout, weights, tokens, blockStarts, batch, gradOutput, gradWeights);
                    """);
                return;
            }
            WriteGather(w, model);
            w.WriteLine();
            WriteScatter(w, model);
            if (model.HasMultiHotTables)
            {
                w.WriteLine();
                WriteBagGather(w, model);
                w.WriteLine();
                WriteBagScatter(w, model);
            }
            if (LayoutMath.AnyRobe(model))
            {
                w.WriteLine();
                WriteRobeGather(w, model);
                w.WriteLine();
                WriteRobeScatter(w, model);
            }
        }
    }

    private static bool Signed(DlrmModel model) => model.Variant == RobeVariant.Signed;
    private static bool Circular(DlrmModel model) => model.Variant == RobeVariant.Circular;

    /// <summary>The lookup (sample, table) of table <paramref name="table"/>: index <c>pair + table</c>.</summary>
    private static string Pair(TableModel table) => table.Index == 0 ? "pair" : "pair + " + Int(table.Index);

    private static string Starts(TableModel table) => "blockStarts.Slice(" + Scaled(table, "records") + ", records)";

    private static string Row(string span, TableModel table) => span + ".Slice(" + Scaled(table, "EmbeddingDim") + ", EmbeddingDim)";

    private static string Scaled(TableModel table, string stride) => (table.Index == 0 ? "pair" : "(" + Pair(table) + ")") + " * " + stride;

    private static string Key(TableModel table) => Names.RobeHash + ".KeyOf(tokens[" + Pair(table) + "], TokenOffsets." + Identifier(table.Name) + ")";

    /// <summary>Locals of the table's rows (RowTable): <c>rows</c> + its index (declared names could be keywords or clash).</summary>
    private static string Rows(TableModel table) => "rows" + Int(table.Index);

    /// <summary>The ROBE arguments read once per call: m (Circular wraps by it) and the starts' modulus.</summary>
    private static IEnumerable<string> RobeLocals(DlrmModel model)
    {
        yield return "long slots = layout.RobeSlots;";
        yield return "long range = " + (Circular(model) ? "slots" : "slots - BlockSize + 1") + ";";
    }

    private static string RobeSlotsArgument(DlrmModel model) => Circular(model) ? "slots, " : "";

    private static void WriteGather(SourceWriter w, DlrmModel model)
    {
        using (w.Block($$"""
            /// <inheritdoc/>
            protected override void GatherDeclared({{GatherParameters}})
            """))
        {
            w.WriteLine("int records = layout.MaxBlocks;");
            if (LayoutMath.AnyRobe(model)) foreach (string line in RobeLocals(model)) w.WriteLine(line);
            foreach (TableModel table in model.Tables.Where(t => t.Storage != TableStorage.Robe))
                w.WriteLine("var " + Rows(table) + " = new " + Names.RowTable + "(layout, " + Int(table.Index) + ");");
            using (w.Block("for (int sample = 0; sample < batch; sample++)"))
            {
                w.WriteLine("int pair = sample * TableCount;");
                foreach (TableModel table in model.Tables)
                {
                    string arguments = "weights, " + Starts(table) + ", " + Row("output", table) + ");";
                    string token = "tokens[" + Pair(table) + "], ";
                    w.WriteLine(table.Storage switch
                    {
                        TableStorage.Robe => "GatherRobe(" + Key(table) + ", " + RobeSlotsArgument(model) + "range, " + arguments,
                        TableStorage.Full => Rows(table) + ".GatherFull(" + token + arguments,
                        TableStorage.Hashed => Rows(table) + ".GatherHashed(" + token + arguments,
                        _ => Rows(table) + ".GatherQuotientRemainder(" + token + arguments,
                    });
                }
            }
        }
    }

    private static void WriteScatter(SourceWriter w, DlrmModel model)
    {
        using (w.Block($$"""
            /// <inheritdoc/>
            protected override void ScatterDeclared({{ScatterParameters}})
            """))
        {
            w.WriteLine("int records = layout.MaxBlocks;");
            if (Circular(model) && LayoutMath.AnyRobe(model)) w.WriteLine("long slots = layout.RobeSlots;");
            using (w.Block("for (int sample = 0; sample < batch; sample++)"))
            {
                w.WriteLine("int pair = sample * TableCount;");
                foreach (TableModel table in model.Tables)
                {
                    string arguments = Starts(table) + ", " + Row("gradOutput", table) + ", ";
                    w.WriteLine(table.Storage switch
                    {
                        // Only the Signed variant needs the token (its signs); the slots come from the recorded starts.
                        TableStorage.Robe => "ScatterRobe(" + (Signed(model) ? Key(table) + ", " : "") + arguments + RobeSlotsArgument(model) + "gradWeights);",
                        TableStorage.QuotientRemainder => Names.RowTable + ".ScatterQuotientRemainder(" + arguments + "weights, gradWeights);",
                        _ => Names.RowTable + ".ScatterRow(" + arguments + "gradWeights);",
                    });
                }
            }
        }
    }

    private const string BagGatherParameters = Names.EmbeddingLayout + " layout, " + Names.ReadOnlySpan + "<float> weights, " + Names.ReadOnlySpan +
        "<int> bagOffsets, " + Names.ReadOnlySpan + "<ulong> bagIds, int batch, " + Names.Span + "<long> blockStarts, " + Names.Span + "<float> output";

    private const string BagScatterParameters = Names.EmbeddingLayout + " layout, " + Names.ReadOnlySpan + "<float> weights, " + Names.ReadOnlySpan +
        "<int> bagOffsets, " + Names.ReadOnlySpan + "<ulong> bagIds, " + Names.ReadOnlySpan + "<long> blockStarts, int batch, " + Names.ReadOnlySpan +
        "<float> gradOutput, " + Names.Span + "<float> gradWeights";

    /// <summary>The pooling a table's bag loop has built in: a single-hot table's one id pools like Sum.</summary>
    private static string PoolingComment(TableModel table) => table.IsMultiHot ? table.Pooling.ToString() : "single-hot: one id";

    /// <summary>
    /// The bag gather of a multi-hot declaration: per cell, each id's embedding (the same per-storage call as the
    /// single-id loop, into a d-float scratch, its starts recorded at the id's index) added in id order; a Mean table
    /// divides by the count (its pooling built in).
    /// </summary>
    private static void WriteBagGather(SourceWriter w, DlrmModel model)
    {
        using (w.Block($$"""
            /// <inheritdoc/>
            protected override void GatherBagsDeclared({{BagGatherParameters}})
            """))
        {
            w.WriteLine("int records = layout.MaxBlocks;");
            if (LayoutMath.AnyRobe(model)) foreach (string line in RobeLocals(model)) w.WriteLine(line);
            foreach (TableModel table in model.Tables.Where(t => t.Storage != TableStorage.Robe))
                w.WriteLine("var " + Rows(table) + " = new " + Names.RowTable + "(layout, " + Int(table.Index) + ");");
            w.WriteLine(Names.Span + "<float> one = stackalloc float[EmbeddingDim];");
            using (w.Block("for (int sample = 0; sample < batch; sample++)"))
            {
                w.WriteLine("int pair = sample * TableCount;");
                foreach (TableModel table in model.Tables)
                {
                    using (w.Block("// Table " + Int(table.Index) + " (" + table.Name + "): " + PoolingComment(table) + "."))
                    {
                        string cell = Pair(table);
                        w.WriteLine("int first = bagOffsets[" + cell + "], end = bagOffsets[" + cell + " + 1];");
                        w.WriteLine(Names.Span + "<float> pooled = " + Row("output", table) + ";");
                        w.WriteLine("pooled.Clear();");
                        using (w.Block("for (int i = first; i < end; i++)"))
                        {
                            string arguments = "weights, blockStarts.Slice(i * records, records), one);";
                            string token = "bagIds[i], ";
                            w.WriteLine(table.Storage switch
                            {
                                TableStorage.Robe => "GatherRobe(" + Names.RobeHash + ".KeyOf(bagIds[i], TokenOffsets." + Identifier(table.Name) + "), "
                                    + RobeSlotsArgument(model) + "range, " + arguments,
                                TableStorage.Full => Rows(table) + ".GatherFull(" + token + arguments,
                                TableStorage.Hashed => Rows(table) + ".GatherHashed(" + token + arguments,
                                _ => Rows(table) + ".GatherQuotientRemainder(" + token + arguments,
                            });
                            w.WriteLine(Names.BlockCopy + ".AddInto(one, pooled);");
                        }
                        if (table.Pooling == Pooling.Mean) w.WriteLine(Names.BlockCopy + ".DivideBy(pooled, end - first);");
                    }
                }
            }
        }
    }

    /// <summary>The bag scatter: in sample, table, id order each id adds the cell's gradient (divided by the count for a
    /// Mean table) at its recorded starts.</summary>
    private static void WriteBagScatter(SourceWriter w, DlrmModel model)
    {
        using (w.Block($$"""
            /// <inheritdoc/>
            protected override void ScatterBagsDeclared({{BagScatterParameters}})
            """))
        {
            w.WriteLine("int records = layout.MaxBlocks;");
            if (Circular(model) && LayoutMath.AnyRobe(model)) w.WriteLine("long slots = layout.RobeSlots;");
            if (model.Tables.Any(t => t.Pooling == Pooling.Mean)) w.WriteLine(Names.Span + "<float> scaled = stackalloc float[EmbeddingDim];");
            using (w.Block("for (int sample = 0; sample < batch; sample++)"))
            {
                w.WriteLine("int pair = sample * TableCount;");
                foreach (TableModel table in model.Tables)
                {
                    using (w.Block("// Table " + Int(table.Index) + " (" + table.Name + "): " + PoolingComment(table) + "."))
                    {
                        string cell = Pair(table);
                        w.WriteLine("int first = bagOffsets[" + cell + "], end = bagOffsets[" + cell + " + 1];");
                        w.WriteLine(Names.ReadOnlySpan + "<float> gradient = " + (table.Pooling == Pooling.Mean
                            ? Names.BlockCopy + ".PoolGradient(" + Row("gradOutput", table) + ", " + Names.Pooling + ".Mean, end - first, scaled);"
                            : Row("gradOutput", table) + ";"));
                        using (w.Block("for (int i = first; i < end; i++)"))
                        {
                            string arguments = "blockStarts.Slice(i * records, records), gradient, ";
                            w.WriteLine(table.Storage switch
                            {
                                TableStorage.Robe => "ScatterRobe(" + (Signed(model) ? Names.RobeHash + ".KeyOf(bagIds[i], TokenOffsets." + Identifier(table.Name) + "), " : "")
                                    + arguments + RobeSlotsArgument(model) + "gradWeights);",
                                TableStorage.QuotientRemainder => Names.RowTable + ".ScatterQuotientRemainder(" + arguments + "weights, gradWeights);",
                                _ => Names.RowTable + ".ScatterRow(" + arguments + "gradWeights);",
                            });
                        }
                    }
                }
            }
        }
    }

    /// <summary>Whether some block of the declared Z is copied coordinate by coordinate (so needs the block local).</summary>
    private static bool UsesScalarBlocks(DlrmModel model) => Signed(model) || BlockPlan.For(model).Any(b => b.Width <= ScalarBlockWidth);

    private static void WriteRobeGather(SourceWriter w, DlrmModel model)
    {
        using (w.Block($$"""
            /// <summary>One ROBE embedding with the declared Z = {{Int(model.BlockSize)}}: every block unrolled with its K_c literal; its starts are recorded.</summary>
            private static void GatherRobe(ulong key, {{(Circular(model) ? "long slots, " : "")}}long range, {{Names.ReadOnlySpan}}<float> weights, {{Names.Span}}<long> starts, {{Names.Span}}<float> embedding)
            """))
        {
            w.WriteLine("ulong row = " + Names.RobeHash + ".RowTerm(key);");
            if (Signed(model)) w.WriteLine("ulong sign = " + Names.SignHash + ".RowTerm(key);");
            w.WriteLine("long start;");
            if (UsesScalarBlocks(model)) w.WriteLine(Names.ReadOnlySpan + "<float> block;");
            foreach (BlockPlan b in BlockPlan.For(model))
            {
                w.WriteLine($$"""
                    // Block {{Int(b.Index)}}: coordinates {{Int(b.First)}}..{{Int(b.First + b.Width - 1)}}.
                    start = {{Names.RobeHash}}.StartOf({{Names.RobeHash}}.AddMod(row, {{ULong(b.Term)}}), range);
                    starts[{{Int(b.Index)}}] = start;
                    """);
                if (!Circular(model))
                {
                    WriteBlockCopy(w, model, b);
                    continue;
                }
                using (w.Block("if (start + " + Int(b.Width) + " <= slots)")) WriteBlockCopy(w, model, b);
                w.WriteLine("else " + Names.BlockCopy + ".CopyWrapped(weights, start, slots, embedding.Slice(" + Int(b.First) + ", " + Int(b.Width) + "));");
            }
        }
    }

    /// <summary>Copies one contiguous block (times the signs for Signed) into the embedding.</summary>
    private static void WriteBlockCopy(SourceWriter w, DlrmModel model, BlockPlan b)
    {
        if (!Signed(model) && b.Width > ScalarBlockWidth)
        {
            w.WriteLine("weights.Slice((int)start, " + Int(b.Width) + ").CopyTo(embedding.Slice(" + Int(b.First) + ", " + Int(b.Width) + "));");
            return;
        }
        w.WriteLine("block = weights.Slice((int)start, " + Int(b.Width) + ");");
        for (int k = 0; k < b.Width; k++)
        {
            int j = b.First + k;
            w.WriteLine("embedding[" + Int(j) + "] = block[" + Int(k) + "]" + SignFactor(model, j) + ";");
        }
    }

    private static void WriteRobeScatter(SourceWriter w, DlrmModel model)
    {
        using (w.Block($$"""
            /// <summary>Adds one ROBE embedding's gradient{{(Signed(model) ? " (times the signs)" : "")}} at its recorded block starts, every block unrolled for Z = {{Int(model.BlockSize)}}.</summary>
            private static void ScatterRobe({{(Signed(model) ? "ulong key, " : "")}}{{Names.ReadOnlySpan}}<long> starts, {{Names.ReadOnlySpan}}<float> gradient, {{(Circular(model) ? "long slots, " : "")}}{{Names.Span}}<float> gradWeights)
            """))
        {
            if (Signed(model)) w.WriteLine("ulong sign = " + Names.SignHash + ".RowTerm(key);");
            w.WriteLine("long start;");
            if (UsesScalarBlocks(model)) w.WriteLine(Names.Span + "<float> block;");
            foreach (BlockPlan b in BlockPlan.For(model))
            {
                w.WriteLine($$"""
                    // Block {{Int(b.Index)}}: coordinates {{Int(b.First)}}..{{Int(b.First + b.Width - 1)}}.
                    start = starts[{{Int(b.Index)}}];
                    """);
                if (!Circular(model))
                {
                    WriteBlockAdd(w, model, b);
                    continue;
                }
                using (w.Block("if (start + " + Int(b.Width) + " <= slots)")) WriteBlockAdd(w, model, b);
                w.WriteLine("else " + Names.BlockCopy + ".AddWrapped(gradient.Slice(" + Int(b.First) + ", " + Int(b.Width) + "), gradWeights, start, slots);");
            }
        }
    }

    private static void WriteBlockAdd(SourceWriter w, DlrmModel model, BlockPlan b)
    {
        if (!Signed(model) && b.Width > ScalarBlockWidth)
        {
            w.WriteLine(Names.BlockCopy + ".AddInto(gradient.Slice(" + Int(b.First) + ", " + Int(b.Width) + "), gradWeights.Slice((int)start, " + Int(b.Width) + "));");
            return;
        }
        w.WriteLine("block = gradWeights.Slice((int)start, " + Int(b.Width) + ");");
        for (int k = 0; k < b.Width; k++)
        {
            int j = b.First + k;
            w.WriteLine("block[" + Int(k) + "] += gradient[" + Int(j) + "]" + SignFactor(model, j) + ";");
        }
    }

    /// <summary>Signed: " * sign of coordinate j", its coordinate term folded into a literal.</summary>
    private static string SignFactor(DlrmModel model, int j) =>
        Signed(model) ? " * " + Names.SignHash + ".Sign(" + Names.RobeHash + ".AddMod(sign, " + ULong(RobeConstants.SignTerm(j)) + "))" : "";
}
