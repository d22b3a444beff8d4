namespace RobeGen.Generators.Tests;

/// <summary>Declaration sources the generator tests compile.</summary>
internal static class Declarations
{
    /// <summary>Authors variant, raw ids, d = 6 with Z = 4 (a partial last block), every storage kind.</summary>
    public const string TinyAuthors = """
        using RobeGen;

        namespace Sample;

        [Dlrm(DenseFeatures = 2, EmbeddingDim = 6, BottomMlp = new[] { 4, 6 }, TopMlp = new[] { 3 })]
        [RobeArray(Slots = 101, BlockSize = 4)]
        public partial class TinyAuthors
        {
            [Categorical(Column = 0, Cardinality = 10)] public partial EmbeddingTable Country { get; }
            [Categorical(Column = 2, Cardinality = 20, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Device { get; }
            [Categorical(Column = 1, Storage = EmbeddingStorage.Hashed, Rows = 5)] internal partial EmbeddingTable Site { get; }
        }
        """;

    /// <summary>Circular, vocabulary tokens, d = 12 with Z = 8 (one span-copied block, one partial).</summary>
    public const string TinyCircular = """
        using RobeGen;

        namespace Sample.Nested.Space;

        [Dlrm(DenseFeatures = 1, EmbeddingDim = 12, BottomMlp = new[] { 12 }, Tokens = TokenKind.Vocabulary)]
        [RobeArray(Slots = 64, BlockSize = 8, Variant = RobeVariant.Circular)]
        public sealed partial class TinyCircular
        {
            [Categorical(Column = 0, Cardinality = 7)] public partial EmbeddingTable A { get; }
            [Categorical(Column = 1, Cardinality = 9)] public partial EmbeddingTable B { get; }
        }
        """;

    /// <summary>Signed, raw ids, d = 4 with Z = 2, declared in the global namespace with a private constructor.</summary>
    public const string TinySigned = """
        using RobeGen;

        [Dlrm(DenseFeatures = 3, EmbeddingDim = 4, BottomMlp = new[] { 4 }, TopMlp = new[] { 2, 2 })]
        [RobeArray(Slots = 50, BlockSize = 2, Variant = RobeVariant.Signed)]
        public partial class TinySigned
        {
            private TinySigned() { }

            [Categorical(Column = 0)] public partial EmbeddingTable Only { get; }
        }
        """;

    /// <summary>QuotientRemainder beside a ROBE table, raw ids, d = 4 with Z = 4: Zip has Q = ceil(30 / 4) = 8 quotient rows and R = 4 remainder rows.</summary>
    public const string TinyQr = """
        using RobeGen;

        namespace Sample;

        [Dlrm(DenseFeatures = 2, EmbeddingDim = 4, BottomMlp = new[] { 4 })]
        [RobeArray(Slots = 40, BlockSize = 4)]
        public partial class TinyQr
        {
            [Categorical(Column = 0, Cardinality = 10)] public partial EmbeddingTable Country { get; }
            [Categorical(Column = 1, Cardinality = 30, Storage = EmbeddingStorage.QuotientRemainder, Rows = 4)] public partial EmbeddingTable Zip { get; }
        }
        """;

    /// <summary>A user's own columns by name: a label, three dense columns with their transforms, two categorical columns.</summary>
    public const string TinyNamed = """
        using RobeGen;

        namespace Shop;

        [Dlrm(Label = "clicked", EmbeddingDim = 4, BottomMlp = new[] { 8, 4 }, TopMlp = new[] { 4 })]
        [Dense("price", Transform = DenseTransform.Log1p)]
        [Dense("age", Transform = DenseTransform.Standardize)]
        [Dense("score")]
        [RobeArray(Slots = 64, BlockSize = 2)]
        public partial class TinyNamed
        {
            [Categorical("user_id", Cardinality = 1000)] public partial EmbeddingTable User { get; }
            [Categorical("country", Cardinality = 20, Storage = EmbeddingStorage.Hashed, Rows = 8)] public partial EmbeddingTable Country { get; }
        }
        """;

    /// <summary>DCNv2 cross layers (2 layers, rank 3) on [u, E_Country, E_Zip] (D = 12), a Full table beside a ROBE one.</summary>
    public const string TinyDcn = """
        using RobeGen;

        namespace Sample;

        [Dlrm(DenseFeatures = 2, EmbeddingDim = 4, BottomMlp = new[] { 4 }, TopMlp = new[] { 3 },
              Interaction = InteractionKind.DcnV2, CrossLayers = 2, CrossRank = 3)]
        [RobeArray(Slots = 40, BlockSize = 4)]
        public partial class TinyDcn
        {
            [Categorical(Column = 0, Cardinality = 10)] public partial EmbeddingTable Country { get; }
            [Categorical(Column = 1, Cardinality = 30, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Zip { get; }
        }
        """;

    /// <summary>A valid base the diagnostic tests vary: d = 8, Z = 4, two ROBE tables.</summary>
    public static string Valid(
        string dlrm = "DenseFeatures = 13, EmbeddingDim = 8, BottomMlp = new[] { 16, 8 }, TopMlp = new[] { 4 }",
        string robeArray = "[RobeArray(Slots = 1000, BlockSize = 4)]",
        string classHeader = "public partial class M",
        string tables = """
            [Categorical(Column = 0, Cardinality = 100)] public partial EmbeddingTable A { get; }
            [Categorical(Column = 1, Cardinality = 200)] public partial EmbeddingTable B { get; }
            """) => $$"""
        using RobeGen;

        namespace Sample;

        [Dlrm({{dlrm}})]
        {{robeArray}}
        {{classHeader}}
        {
        {{tables}}
        }
        """;
}
