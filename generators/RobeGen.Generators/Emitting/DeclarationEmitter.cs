using System.Collections.Generic;
using System.Linq;
using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;
using static RobeGen.Generators.Emitting.CodeWriter;

namespace RobeGen.Generators.Emitting;

/// <summary>Layout constants, the EmbeddingTable instances, the ModelDeclaration and the IDlrmDefinition wiring.</summary>
internal static class DeclarationEmitter
{
    public static void Write(CodeWriter w, DlrmModel model)
    {
        WriteConstants(w, model);
        w.Line();
        WriteTables(w, model);
        w.Line();
        WriteDeclaration(w, model);
    }

    private static void WriteConstants(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>Dense (numeric) input features of the bottom MLP.</summary>");
        w.Line("public const int DenseFeatures = " + Int(model.DenseFeatures) + ";");
        w.Line("/// <summary>Width d of every embedding (and of the bottom MLP's output).</summary>");
        w.Line("public const int EmbeddingDim = " + Int(model.EmbeddingDim) + ";");
        w.Line("/// <summary>Categorical tables, in declaration order.</summary>");
        w.Line("public const int TableCount = " + Int(model.TableCount) + ";");
        w.Line("/// <summary>Declared block size Z of the ROBE tables (the generated loops are unrolled for it).</summary>");
        w.Line("public const int BlockSize = " + Int(model.BlockSize) + ";");
        w.Line("/// <summary>Blocks per ROBE embedding with the declared Z: ceil(d / Z); the last may be partial.</summary>");
        w.Line("public const int RobeBlocks = " + Int(model.RobeBlocks) + ";");
        w.Line("/// <summary>Declared slot count m of the ROBE array (a run may override it).</summary>");
        w.Line("public const long RobeSlots = " + Long(model.RobeSlots) + ";");
        w.Line("/// <summary>Embedding floats of the uncompressed model: the sum of the declared cardinalities times d.</summary>");
        w.Line("public const long FullTableParameterCount = " + Long(LayoutMath.FullTableParameters(model)) + ";");
        w.Line("/// <summary>Parameters with the declared embedding layout: embedding floats (" +
            Int(LayoutMath.EmbeddingParameters(model)) + ") plus MLP weights and biases (" + Int(LayoutMath.MlpParameters(model)) + ").</summary>");
        w.Line("public const long ParameterCount = " + Long(LayoutMath.Parameters(model)) + ";");
        w.Line("/// <summary>Bytes of the parameters as 32-bit floats.</summary>");
        w.Line("public const long ParameterBytes = ParameterCount * sizeof(float);");
        w.Line("/// <summary>Full tables' embedding floats over the declared layout's embedding floats (0 when no cardinality is declared).</summary>");
        w.Line("public const double CompressionRatio = " + Double(LayoutMath.CompressionRatio(model)) + ";");
        w.Line("/// <summary>FNV-1a 64 of the canonical declaration text: checkpoints of another declaration are refused by it.</summary>");
        w.Line("public const string Fingerprint = " + String(Fingerprint.Of(model)) + ";");
        w.Line("/// <summary>Bottom MLP widths after the dense input.</summary>");
        w.Line("public static " + Names.ReadOnlySpan + "<int> BottomMlp => " + SpanLiteral(model.BottomMlp) + ";");
        w.Line("/// <summary>Top MLP hidden widths (the one-unit logit layer follows them).</summary>");
        w.Line("public static " + Names.ReadOnlySpan + "<int> TopMlp => " + SpanLiteral(model.TopMlp) + ";");
    }

    private static void WriteTables(CodeWriter w, DlrmModel model)
    {
        w.Line("/// <summary>The model's tables as resolved at compile time (the table properties return these).</summary>");
        w.Open("public static class Tables");
        foreach (TableModel table in model.Tables)
        {
            w.Line("/// <summary>" + System.Security.SecurityElement.Escape(Describe(model, table)) + "</summary>");
            w.Line("public static " + Names.EmbeddingTable + " " + Identifier(table.Name) + " { get; } = new " + Names.EmbeddingTable + "(" +
                String(table.Name) + ", " + Int(table.Index) + ", " + Int(table.Column) + ", " + Long(table.Cardinality) + ", " +
                Names.EmbeddingStorage + "." + table.Storage + ", " + Long(table.Rows) + ", " + Hex(table.TokenOffset) + ");");
        }
        w.Close();
        w.Line();
        foreach (TableModel table in model.Tables)
        {
            w.Line(table.Modifiers + " " + Names.EmbeddingTable + " " + Identifier(table.Name) + " { get => Tables." + Identifier(table.Name) + "; }");
        }
    }

    private static void WriteDeclaration(CodeWriter w, DlrmModel model)
    {
        string tables = string.Join(", ", model.Tables.Select(t => "Tables." + Identifier(t.Name)));
        w.Line("/// <summary>The declaration as the generator resolved it.</summary>");
        w.Line("public static " + Names.ModelDeclaration + " Declaration { get; } = new " + Names.ModelDeclaration + "(");
        w.Line("    " + String(model.FullName) + ", DenseFeatures, EmbeddingDim,");
        w.Line("    " + ImmutableLiteral(model.BottomMlp) + ",");
        w.Line("    " + ImmutableLiteral(model.TopMlp) + ",");
        w.Line("    " + Names.TokenKind + "." + model.Tokens + ", RobeSlots, BlockSize, " + Names.RobeVariant + "." + model.Variant + ",");
        w.Line("    " + Names.ImmutableArray + ".Create(" + tables + "),");
        w.Line("    Fingerprint);");
        w.Line();
        w.Line("/// <summary>The model as an <see cref=\"" + Names.DlrmDefinition + "\"/> (what backends and tools take).</summary>");
        w.Line("public static " + Names.DlrmDefinition + " Definition { get; } = new " + Identifier(model.ClassName) + "();");
        w.Line();
        w.Line(Names.ModelDeclaration + " " + Names.DlrmDefinition + ".Declaration => Declaration;");
        w.Line(Names.EmbeddingKernels + " " + Names.DlrmDefinition + ".Embedding => CpuEmbedding.Instance;");
        w.Line(Names.GpuEmbeddingKernels + " " + Names.DlrmDefinition + ".GpuEmbedding => GpuEmbedding.Instance;");
    }

    private static string Describe(DlrmModel model, TableModel table)
    {
        string storage = table.Storage switch
        {
            TableStorage.Full => "Full (one row per token)",
            TableStorage.Hashed => "Hashed into " + Int(table.Rows) + " rows",
            TableStorage.QuotientRemainder => "QuotientRemainder: " + Int(LayoutMath.QuotientRows(table)) + " quotient rows x " + Int(table.Rows) + " remainder rows",
            _ => "Robe",
        };
        string xg = model.Tokens == TokenKind.Vocabulary ? "token + " + table.TokenOffset.ToString(System.Globalization.CultureInfo.InvariantCulture) : "token + (" + Int(table.Index) + " << 33)";
        return table.Name + ": table " + Int(table.Index) + ", column " + Int(table.Column) + ", cardinality " + Int(table.Cardinality) +
            ", " + storage + "; xg = " + xg + ".";
    }

    private static string SpanLiteral(IReadOnlyCollection<int> values) =>
        values.Count == 0 ? Names.ReadOnlySpan + "<int>.Empty" : "new int[] { " + string.Join(", ", values.Select(v => Int(v))) + " }";

    private static string ImmutableLiteral(IReadOnlyCollection<int> values) =>
        values.Count == 0 ? Names.ImmutableArray + "<int>.Empty" : Names.ImmutableArray + ".Create(" + string.Join(", ", values.Select(v => Int(v))) + ")";
}
