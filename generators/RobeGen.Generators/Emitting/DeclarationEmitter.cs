using System.Collections.Generic;
using System.Linq;
using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;
using static RobeGen.Generators.Emitting.Literals;

namespace RobeGen.Generators.Emitting;

/// <summary>Layout constants, the EmbeddingTable instances and token offsets, the ModelDeclaration and the IDlrmDefinition wiring.</summary>
internal static class DeclarationEmitter
{
    public static void Write(SourceWriter w, DlrmModel model)
    {
        WriteConstants(w, model);
        w.WriteLine();
        WriteTables(w, model);
        w.WriteLine();
        if (LayoutMath.AnyRobe(model))
        {
            WriteTokenOffsets(w, model);
            w.WriteLine();
        }
        WriteDeclaration(w, model);
    }

    private static void WriteConstants(SourceWriter w, DlrmModel model) => w.WriteLine($$"""
        /// <summary>Dense (numeric) input features of the bottom MLP.</summary>
        public const int DenseFeatures = {{Int(model.DenseFeatures)}};
        /// <summary>Width d of every embedding (and of the bottom MLP's output).</summary>
        public const int EmbeddingDim = {{Int(model.EmbeddingDim)}};
        /// <summary>Categorical tables, in declaration order.</summary>
        public const int TableCount = {{Int(model.TableCount)}};
        /// <summary>Declared block size Z of the ROBE tables (the generated kernels are unrolled for it).</summary>
        public const int BlockSize = {{Int(model.BlockSize)}};
        /// <summary>Blocks per ROBE embedding with the declared Z: ceil(d / Z); the last may be partial.</summary>
        public const int RobeBlocks = {{Int(model.RobeBlocks)}};
        /// <summary>Declared slot count m of the ROBE array (a run may override it).</summary>
        public const long RobeSlots = {{Long(model.RobeSlots)}};
        /// <summary>Embedding floats of the uncompressed model: the sum of the declared cardinalities times d.</summary>
        public const long FullTableParameterCount = {{Long(LayoutMath.FullTableParameters(model))}};
        /// <summary>Parameters with the declared embedding layout: embedding floats ({{Int(LayoutMath.EmbeddingParameters(model))}}) plus MLP weights and biases ({{Int(LayoutMath.MlpParameters(model))}}).</summary>
        public const long ParameterCount = {{Long(LayoutMath.Parameters(model))}};
        /// <summary>Bytes of the parameters as 32-bit floats.</summary>
        public const long ParameterBytes = ParameterCount * sizeof(float);
        /// <summary>Full tables' embedding floats over the declared layout's embedding floats (0 when no cardinality is declared).</summary>
        public const double CompressionRatio = {{Double(LayoutMath.CompressionRatio(model))}};
        /// <summary>FNV-1a 64 of the canonical declaration text: checkpoints of another declaration are refused by it.</summary>
        public const string Fingerprint = {{String(Fingerprint.Of(model))}};
        /// <summary>Bottom MLP widths after the dense input.</summary>
        public static {{Names.ReadOnlySpan}}<int> BottomMlp => {{SpanLiteral(model.BottomMlp)}};
        /// <summary>Top MLP hidden widths (the one-unit logit layer follows them).</summary>
        public static {{Names.ReadOnlySpan}}<int> TopMlp => {{SpanLiteral(model.TopMlp)}};
        """);

    private static void WriteTables(SourceWriter w, DlrmModel model)
    {
        w.WriteLine("/// <summary>The model's tables as resolved at compile time (the table properties return these).</summary>");
        using (w.Block("public static class Tables"))
        {
            foreach (TableModel table in model.Tables)
            {
                w.WriteLine($$"""
                    /// <summary>{{System.Security.SecurityElement.Escape(Describe(model, table))}}</summary>
                    public static {{Names.EmbeddingTable}} {{Identifier(table.Name)}} { get; } = new {{Names.EmbeddingTable}}({{String(table.Name)}}, {{Int(table.Index)}}, {{Int(table.Column)}}, {{Long(table.Cardinality)}}, {{Names.EmbeddingStorage}}.{{table.Storage}}, {{Long(table.Rows)}}, {{Hex(table.TokenOffset)}}){{ColumnNameInit(model, table)}};
                    """);
            }
        }
        w.WriteLine();
        foreach (TableModel table in model.Tables)
            w.WriteLine($$"""{{table.Modifiers}} {{Names.EmbeddingTable}} {{Identifier(table.Name)}} { get => Tables.{{Identifier(table.Name)}}; }""");
    }

    /// <summary>The ROBE tables' token offsets as constants: the kernels fold them into the key xg mod P.</summary>
    private static void WriteTokenOffsets(SourceWriter w, DlrmModel model)
    {
        w.WriteLine("/// <summary>The token offset of each ROBE table (xg = token + offset) as a constant the kernels fold (every table's: Tables.&lt;Name&gt;.TokenOffset).</summary>");
        using (w.Block("public static class TokenOffsets"))
        {
            foreach (TableModel table in model.Tables.Where(t => t.Storage == TableStorage.Robe))
            {
                w.WriteLine($$"""
                    /// <summary>Table {{Int(table.Index)}}, {{table.Name}}.</summary>
                    public const ulong {{Identifier(table.Name)}} = {{Hex(table.TokenOffset)}};
                    """);
            }
        }
    }

    private static void WriteDeclaration(SourceWriter w, DlrmModel model)
    {
        string tables = string.Join(", ", model.Tables.Select(t => "Tables." + Identifier(t.Name)));
        w.WriteLine($$"""
            /// <summary>The declaration as the generator resolved it.</summary>
            public static {{Names.ModelDeclaration}} Declaration { get; } = new {{Names.ModelDeclaration}}(
                {{String(model.FullName)}}, DenseFeatures, EmbeddingDim,
                {{ImmutableLiteral(model.BottomMlp)}},
                {{ImmutableLiteral(model.TopMlp)}},
                {{Names.TokenKind}}.{{model.Tokens}}, RobeSlots, BlockSize, {{Names.RobeVariant}}.{{model.Variant}},
                {{Names.ImmutableArray}}.Create({{tables}}),
                Fingerprint{{InteractionArguments(model)}}{{NamedColumnArguments(model)}});

            /// <summary>The model as an <see cref="{{Names.DlrmDefinition}}"/> (what backends and tools take).</summary>
            public static {{Names.DlrmDefinition}} Definition { get; } = new {{Identifier(model.ClassName)}}();

            {{Names.ModelDeclaration}} {{Names.DlrmDefinition}}.Declaration => Declaration;
            {{Names.EmbeddingKernels}} {{Names.DlrmDefinition}}.Embedding => CpuEmbedding.Instance;
            {{Names.GpuEmbeddingKernels}} {{Names.DlrmDefinition}}.GpuEmbedding => GpuEmbedding.Instance;
            """);
    }

    /// <summary>A named table's column name (a Criteo table's is C{Column + 1}, the runtime's default).</summary>
    private static string ColumnNameInit(DlrmModel model, TableModel table)
    {
        var inits = new List<string>();
        if (model.NamedColumns) inits.Add("ColumnName = " + String(table.ColumnName));
        if (table.IsMultiHot) inits.Add("Pooling = " + Names.Pooling + "." + table.Pooling);
        if (table.Hotness != 1) inits.Add("Hotness = " + Int(table.Hotness));
        return inits.Count == 0 ? "" : " { " + string.Join(", ", inits) + " }";
    }

    /// <summary>The label and dense columns of a named declaration (the runtime defaults to the Criteo layout's).</summary>
    private static string NamedColumnArguments(DlrmModel model)
    {
        if (!model.NamedColumns) return "";
        string dense = string.Join(", ", model.DenseColumns.Select(d => "new " + Names.DenseColumn + "(" + String(d.Name) + ", " + Names.DenseTransform + "." + d.Transform + ")"));
        return ",\n    labelColumn: " + String(model.LabelColumn) + ",\n    denseColumns: " + Names.ImmutableArray + ".Create(" + dense + ")";
    }

    /// <summary>A Dot model calls the constructor without an interaction (its generated code is as before the choice existed).</summary>
    private static string InteractionArguments(DlrmModel model) => model.Interaction == InteractionKind.Dot ? ""
        : ", " + Names.InteractionKind + "." + model.Interaction + ", " + Int(model.CrossLayers) + ", " + Int(model.CrossRank);

    private static string Describe(DlrmModel model, TableModel table)
    {
        string storage = table.Storage switch
        {
            TableStorage.Full => "Full (one row per token)",
            TableStorage.Hashed => "Hashed into " + Int(table.Rows) + " rows",
            TableStorage.QuotientRemainder => "QuotientRemainder: " + Int(LayoutMath.QuotientRows(table)) + " quotient rows x " + Int(table.Rows) + " remainder rows",
            _ => "Robe",
        };
        string xg = model.Tokens == TokenKind.Vocabulary
            ? "token + " + table.TokenOffset.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "token + (" + Int(table.Index) + " << 33)";
        string column = model.NamedColumns ? "column '" + table.ColumnName + "'" : "column " + Int(table.Column);
        return table.Name + ": table " + Int(table.Index) + ", " + column + ", cardinality " + Int(table.Cardinality) +
            ", " + storage + "; xg = " + xg + ".";
    }

    private static string SpanLiteral(IReadOnlyCollection<int> values) =>
        values.Count == 0 ? Names.ReadOnlySpan + "<int>.Empty" : "new int[] { " + string.Join(", ", values.Select(v => Int(v))) + " }";

    private static string ImmutableLiteral(IReadOnlyCollection<int> values) =>
        values.Count == 0 ? Names.ImmutableArray + "<int>.Empty" : Names.ImmutableArray + ".Create(" + string.Join(", ", values.Select(v => Int(v))) + ")";
}
