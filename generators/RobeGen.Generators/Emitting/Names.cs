namespace RobeGen.Generators.Emitting;

/// <summary>Fully qualified names used by the generated code (always global::, so user types never capture them).</summary>
internal static class Names
{
    public const string EmbeddingTable = "global::RobeGen.EmbeddingTable";
    public const string EmbeddingStorage = "global::RobeGen.EmbeddingStorage";
    public const string EmbeddingLayout = "global::RobeGen.EmbeddingLayout";
    public const string ModelDeclaration = "global::RobeGen.ModelDeclaration";
    public const string DlrmDefinition = "global::RobeGen.IDlrmDefinition";
    public const string EmbeddingKernels = "global::RobeGen.IEmbeddingKernels";
    public const string GpuEmbeddingKernels = "global::RobeGen.IGpuEmbeddingKernels";
    public const string GpuEmbeddingArgs = "global::RobeGen.GpuEmbeddingArgs";
    public const string GpuTableViews = "global::RobeGen.GpuTableViews";
    public const string TokenKind = "global::RobeGen.TokenKind";
    public const string RobeVariant = "global::RobeGen.RobeVariant";
    public const string ImmutableArray = "global::System.Collections.Immutable.ImmutableArray";
    public const string Span = "global::System.Span";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan";
    public const string TensorPrimitives = "global::System.Numerics.Tensors.TensorPrimitives";
    public const string Index1D = "global::ILGPU.Index1D";
    public const string ArrayView = "global::ILGPU.ArrayView";
    public const string Atomic = "global::ILGPU.Atomic";
    public const string Accelerator = "global::ILGPU.Runtime.Accelerator";
    public const string KernelLoaders = "global::ILGPU.Runtime.KernelLoaders";
    public const string ArgumentException = "global::System.ArgumentException";
    public const string ArgumentOutOfRangeException = "global::System.ArgumentOutOfRangeException";
    public const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";
}
