using Microsoft.CodeAnalysis;

namespace RobeGen.Generators.Diagnostics;

/// <summary>Every diagnostic the generator reports. Ids are listed in AnalyzerReleases.Unshipped.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "RobeGen";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    // The model class.
    public static readonly DiagnosticDescriptor ClassNotPartial = Error("RG0001",
        "Model class must be partial",
        "The [Dlrm] class '{0}' must be declared 'partial' so that RobeGen can add the generated model to it");
    public static readonly DiagnosticDescriptor NestedClass = Error("RG0002",
        "Nested model classes are not supported",
        "The [Dlrm] class '{0}' is nested inside '{1}'; declare it at namespace level");
    public static readonly DiagnosticDescriptor GenericClass = Error("RG0003",
        "Generic model classes are not supported",
        "The [Dlrm] class '{0}' has type parameters; declare a non-generic class");
    public static readonly DiagnosticDescriptor NotInstantiable = Error("RG0004",
        "Model must be a non-static, non-abstract class",
        "The [Dlrm] type '{0}' is {1}; declare it as a plain (non-static, non-abstract, non-record) partial class");
    public static readonly DiagnosticDescriptor NoParameterlessConstructor = Error("RG0005",
        "Model class needs a parameterless constructor",
        "The [Dlrm] class '{0}' declares only constructors with parameters; add a parameterless constructor (it may be private) so that the generated Definition can create the instance");

    // [Dlrm] values.
    public static readonly DiagnosticDescriptor NoTables = Error("RG0006",
        "Model declares no tables",
        "The [Dlrm] class '{0}' has no [Categorical] properties; declare at least one, e.g. [Categorical(Column = 0, Cardinality = 1000)] public partial EmbeddingTable C1 {{ get; }}");
    public static readonly DiagnosticDescriptor InvalidDenseFeatures = Error("RG0007",
        "DenseFeatures must be at least 1",
        "DenseFeatures is {0}; set it to the number of dense input features (at least 1), or name the dense columns with [Dense(\"column_name\")] on the class");
    public static readonly DiagnosticDescriptor InvalidEmbeddingDim = Error("RG0008",
        "EmbeddingDim must be at least 1",
        "EmbeddingDim is {0}; set it to the embedding width (at least 1)");
    public static readonly DiagnosticDescriptor EmptyBottomMlp = Error("RG0009",
        "BottomMlp must not be empty",
        "BottomMlp is empty; list the bottom MLP's layer widths, the last equal to EmbeddingDim ({0}), e.g. BottomMlp = new[] {{ 512, 256, {0} }}");
    public static readonly DiagnosticDescriptor BottomMlpLastNotDim = Error("RG0010",
        "The bottom MLP must end at EmbeddingDim",
        "The last BottomMlp width is {0} but EmbeddingDim is {1}; the bottom output is dotted with the embeddings, so end BottomMlp with {1}");
    public static readonly DiagnosticDescriptor InvalidMlpWidth = Error("RG0011",
        "MLP widths must be at least 1",
        "{0}[{1}] is {2}; every layer width must be at least 1");

    // [RobeArray] values.
    public static readonly DiagnosticDescriptor MissingSlots = Error("RG0012",
        "ROBE tables need a slot count",
        "Table '{0}' is stored in the ROBE array but the array's Slots is {1}; add [RobeArray(Slots = <m>, BlockSize = <Z>)] with Slots > 0 to the class, or give the table another Storage");
    public static readonly DiagnosticDescriptor BlockSizeTooSmall = Error("RG0013",
        "BlockSize must be at least 1",
        "BlockSize is {0}; set it between 1 and EmbeddingDim ({1})");
    public static readonly DiagnosticDescriptor BlockSizeTooLarge = Error("RG0014",
        "BlockSize must not exceed EmbeddingDim",
        "BlockSize {0} is larger than EmbeddingDim {1}; a block is part of one embedding, so set BlockSize between 1 and {1}");
    public static readonly DiagnosticDescriptor SlotsBelowBlockSize = Error("RG0015",
        "The ROBE array must hold at least one block",
        "Slots is {0} but BlockSize is {1}; blocks never wrap, so set Slots to at least {1}");

    // [Categorical] properties.
    public static readonly DiagnosticDescriptor TableNotPartial = Error("RG0016",
        "Table property must be partial",
        "Table property '{0}' must be declared 'public partial EmbeddingTable {0} {{ get; }}' so that RobeGen can implement it");
    public static readonly DiagnosticDescriptor TableWrongType = Error("RG0017",
        "Table property must be of type EmbeddingTable",
        "Table property '{0}' has type '{1}'; declare it as RobeGen.EmbeddingTable");
    public static readonly DiagnosticDescriptor TableHasSetter = Error("RG0018",
        "Table property must be get-only",
        "Table property '{0}' has a setter; remove it (tables are fixed by the declaration): '{{ get; }}'");
    public static readonly DiagnosticDescriptor TableHasBody = Error("RG0019",
        "Table property must not be implemented by hand",
        "Table property '{0}' has an implementation; declare only '{{ get; }}' and let RobeGen implement it");
    public static readonly DiagnosticDescriptor NegativeColumn = Error("RG0020",
        "Column must be set and non-negative",
        "Table '{0}' has Column = {1}; name the column it reads, [Categorical(\"column_name\")], or set Column to a categorical column of the Criteo layout (C1 is 0)");
    public static readonly DiagnosticDescriptor DuplicateColumn = Error("RG0021",
        "Two tables read the same column",
        "Table '{0}' reads Column {1}, which table '{2}' already reads; give each table its own column");
    public static readonly DiagnosticDescriptor FullWithoutCardinality = Error("RG0022",
        "Full tables need a Cardinality",
        "Table '{0}' is Storage = Full but declares no Cardinality; set Cardinality to the vocabulary size (one row per token)");
    public static readonly DiagnosticDescriptor HashedWithoutRows = Error("RG0023",
        "Hashed tables need Rows",
        "Table '{0}' is Storage = Hashed but declares no Rows; set Rows to the number of rows tokens are hashed into (token mod Rows)");
    public static readonly DiagnosticDescriptor VocabularyWithoutCardinality = Error("RG0024",
        "Vocabulary tokens need every table's Cardinality",
        "Table '{0}' declares no Cardinality, but Tokens = Vocabulary offsets each table's tokens by the cardinalities of the tables before it; set Cardinality on every table, or use Tokens = RawId");
    public static readonly DiagnosticDescriptor NegativeCount = Error("RG0025",
        "Counts must not be negative",
        "Table '{0}' has {1} = {2}; set it to 0 (unknown) or a positive count");
    public static readonly DiagnosticDescriptor UnknownEnumValue = Error("RG0026",
        "Unknown enum value",
        "{0} = {1} is not a value of {2}; use one of: {3}");
    public static readonly DiagnosticDescriptor ReservedTableName = Error("RG0027",
        "Table name collides with a generated member",
        "Table property '{0}' has the name of a member RobeGen generates on the model; rename the property");

    public static readonly DiagnosticDescriptor RowsIgnored = new("RG0028",
        "Rows is only used by Hashed and QuotientRemainder tables",
        "Table '{0}' declares Rows = {1} but is Storage = {2}, which ignores it; remove Rows or use Storage = Hashed or QuotientRemainder",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SizesOverflow = Error("RG0029",
        "Declared sizes overflow",
        "The parameter counts of '{0}' do not fit in a 64-bit integer; check the Cardinality and Rows of the tables and the MLP widths");

    // QuotientRemainder tables: R = Rows remainder rows, Q = ceil(Cardinality / R) quotient rows.
    public static readonly DiagnosticDescriptor QuotientRemainderWithoutCardinality = Error("RG0030",
        "QuotientRemainder tables need a Cardinality",
        "Table '{0}' is Storage = QuotientRemainder but declares no Cardinality; set Cardinality to the number of ids (the quotient table gets ceil(Cardinality / Rows) rows)");
    public static readonly DiagnosticDescriptor QuotientRemainderWithoutRows = Error("RG0031",
        "QuotientRemainder tables need Rows of at least 1",
        "Table '{0}' is Storage = QuotientRemainder but declares Rows = {1}; set Rows to the remainder table's row count R, between 1 and Cardinality (id x reads quotient row x / R and remainder row x % R)");
    public static readonly DiagnosticDescriptor QuotientRemainderRowsAboveCardinality = Error("RG0032",
        "QuotientRemainder Rows must not exceed Cardinality",
        "Table '{0}' has Rows = {1} remainder rows but only Cardinality = {2} ids, so rows {2}..{3} would never be read; set Rows between 1 and {2}");

    // Data columns (ColumnRules).
    public static readonly DiagnosticDescriptor CriteoColumnOutOfRange = Error("RG0033",
        "Column is outside the Criteo layout",
        "Table '{0}' reads Column = {1}, but the Criteo layout has categorical columns 0..{2} (C1..C{3}); " +
        "choose one of them, or name a column of your own data: [Categorical(\"column_name\")]");
    public static readonly DiagnosticDescriptor CriteoDenseOutOfRange = Error("RG0034",
        "DenseFeatures exceeds the Criteo layout",
        "DenseFeatures = {0}, but the Criteo layout has {1} dense columns (I1..I{1}); use at most {1}, or name your own dense columns with [Dense(\"column_name\")] on the class");
    public static readonly DiagnosticDescriptor MixedColumnStyles = Error("RG0035",
        "Named columns and Criteo positions are mixed",
        "{0} uses a position of the Criteo layout, but '{1}' names its columns elsewhere; " +
        "name every column ([Dense(\"x\")], [Categorical(\"x\")], Label = \"x\") or none (DenseFeatures, Column = n)");
    public static readonly DiagnosticDescriptor DenseCountMismatch = Error("RG0036",
        "DenseFeatures disagrees with the [Dense] columns",
        "DenseFeatures = {0} but the class declares {1} [Dense] columns; remove DenseFeatures (the [Dense] columns count)");
    public static readonly DiagnosticDescriptor DuplicateColumnName = Error("RG0037",
        "A column is read twice",
        "{0} reads column '{1}', which {2} reads already; each data column feeds one input");
    public static readonly DiagnosticDescriptor BlankColumnName = Error("RG0038",
        "Column name is blank",
        "{0} has a blank column name; give the name of a column of the data (a CSV header field or a Parquet column)");

    // The interaction (DeclarationRules; RG0039 is unused).
    public static readonly DiagnosticDescriptor CrossWithoutDcnV2 = Error("RG0040",
        "CrossLayers and CrossRank are only used by DcnV2",
        "{0} is set but Interaction = {1}, which has no cross layers; remove {0} or set Interaction = InteractionKind.DcnV2");
    public static readonly DiagnosticDescriptor DcnV2WithoutCrossLayers = Error("RG0041",
        "DcnV2 needs CrossLayers of at least 1",
        "Interaction = DcnV2 but CrossLayers = {0}; set CrossLayers to the number of cross layers (at least 1; MLPerf's DLRM-DCNv2 uses 3)");
    public static readonly DiagnosticDescriptor CrossRankOutOfRange = Error("RG0042",
        "CrossRank must be between 0 and the cross layers' width",
        "CrossRank = {0}; set it between 1 and {1} (the width d (T+1) of [u, E_1, .., E_T]) for low-rank cross layers, or 0 for full rank");

    // Multi-hot tables (DeclarationRules).
    public static readonly DiagnosticDescriptor HotnessOutOfRange = Error("RG0043",
        "Hotness must be at least 1",
        "Table '{0}' has Hotness = {1}; set it to the ids per cell that synthetic data should draw (at least 1)");
    public static readonly DiagnosticDescriptor PoolingOnCriteoColumn = Error("RG0044",
        "Criteo-layout columns hold one id per cell",
        "Table '{0}' has Pooling = {1}, but it reads column {2} of the Criteo layout, whose cells hold one id; name the column of a multi-hot list ([Categorical(\"column_name\", Pooling = Pooling.{1})]) or remove Pooling");

    public static readonly DiagnosticDescriptor InternalError = Error("RG9999",
        "RobeGen internal error",
        "RobeGen failed on '{0}': {1}. Please report this with the declaration that caused it.");
}
