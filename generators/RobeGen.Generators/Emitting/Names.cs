namespace RobeGen.Generators.Emitting;

/// <summary>Fully qualified names used by the generated code (always global::, so user types never capture them).</summary>
internal static class Names
{
    public const string EmbeddingTable = "global::RobeGen.EmbeddingTable";
    public const string EmbeddingStorage = "global::RobeGen.EmbeddingStorage";
    public const string Pooling = "global::RobeGen.Pooling";
    public const string EmbeddingLayout = "global::RobeGen.EmbeddingLayout";
    public const string ModelDeclaration = "global::RobeGen.ModelDeclaration";
    public const string DlrmDefinition = "global::RobeGen.IDlrmDefinition";
    public const string EmbeddingKernels = "global::RobeGen.IEmbeddingKernels";
    public const string DeclaredEmbeddingKernels = "global::RobeGen.DeclaredEmbeddingKernels";
    public const string GpuEmbeddingKernels = "global::RobeGen.IGpuEmbeddingKernels";
    public const string GpuEmbeddingArgs = "global::RobeGen.GpuEmbeddingArgs";
    public const string GpuTableViews = "global::RobeGen.GpuTableViews";
    public const string TokenKind = "global::RobeGen.TokenKind";
    public const string DenseColumn = "global::RobeGen.DenseColumn";
    public const string DenseTransform = "global::RobeGen.DenseTransform";
    public const string InteractionKind = "global::RobeGen.InteractionKind";
    public const string RobeVariant = "global::RobeGen.RobeVariant";
    // The hand-written runtime code the generated code calls (src/RobeGen/Embedding).
    public const string RobeHash = "global::RobeGen.RobeHash";
    public const string SignHash = "global::RobeGen.SignHash";
    public const string TableRows = "global::RobeGen.TableRows";
    public const string RowTable = "global::RobeGen.RowTable";
    public const string BlockCopy = "global::RobeGen.BlockCopy";
    public const string GpuLookup = "global::RobeGen.GpuLookup";
    public const string ImmutableArray = "global::System.Collections.Immutable.ImmutableArray";
    public const string Span = "global::System.Span";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan";
    public const string Index1D = "global::ILGPU.Index1D";
    public const string ArrayView = "global::ILGPU.ArrayView";
    public const string Atomic = "global::ILGPU.Atomic";
    public const string Warp = "global::ILGPU.Warp";
    public const string Group = "global::ILGPU.Group";
    public const string Accelerator = "global::ILGPU.Runtime.Accelerator";
    public const string KernelLoaders = "global::ILGPU.Runtime.KernelLoaders";
}
