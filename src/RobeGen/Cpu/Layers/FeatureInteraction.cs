using RobeGen.Cpu.Gemm;
using RobeGen.Cpu.Threading;

namespace RobeGen.Cpu.Layers;

/// <summary>One trainable tensor of an interaction (DcnV2's cross layers): its ModelState name, values and gradient.</summary>
internal sealed record InteractionTensor(string Name, float[] Weights, float[] Grad);

/// <summary>
/// What forms the top MLP's input from the bottom MLP's output u [B, d] and the gathered embeddings E [B, T, d]
/// (docs/model-math.md, "Interaction"): <see cref="DotInteraction"/>, <see cref="ConcatInteraction"/> or
/// <see cref="CrossInteraction"/>. <see cref="TrainingPass"/> runs the per-row passes from its row blocks on the
/// worker's single-threaded GEMM, and <see cref="ParameterGrads"/> (the sums over the batch) as one weight-gradient item.
/// </summary>
internal abstract unsafe class FeatureInteraction : IDisposable
{
    // The whole batch's buffers (set by SetBuffers; the caller keeps them pinned while rows run).
    protected float* Bottom, Embeddings, Output, OutputGrad, BottomGrad, EmbeddingGrad;

    /// <summary>Width of an output row (the top MLP's input width).</summary>
    public abstract int Width { get; }

    /// <summary>The interaction's own parameters in ModelState order (none for Dot and Cat).</summary>
    public virtual IReadOnlyList<InteractionTensor> Parameters => [];

    /// <summary>The interaction of <paramref name="declaration"/>.</summary>
    public static FeatureInteraction Create(ModelDeclaration declaration, WorkerPool pool, int maxBatch) => declaration.Interaction switch
    {
        InteractionKind.Dot => new DotInteraction(declaration.EmbeddingDim, declaration.TableCount, pool),
        InteractionKind.Cat => new ConcatInteraction(declaration.EmbeddingDim, declaration.TableCount),
        InteractionKind.DcnV2 => new CrossInteraction(declaration, maxBatch),
        _ => throw new NotSupportedException($"{declaration.Name}: unknown interaction {declaration.Interaction}."),
    };

    /// <summary>Sets the whole batch's buffers for the row passes (nulls to clear).</summary>
    public void SetBuffers(float* bottom, float* embeddings, float* output, float* outputGrad, float* bottomGrad, float* embeddingGrad)
    {
        Bottom = bottom; Embeddings = embeddings; Output = output;
        OutputGrad = outputGrad; BottomGrad = bottomGrad; EmbeddingGrad = embeddingGrad;
    }

    /// <summary>Output rows [first, first + count) from the same rows of u and E.</summary>
    public abstract void ForwardRows(int first, int count, int worker, Sgemm gemm);

    /// <summary>dL/du and dL/dE rows [first, first + count) (overwritten) from dL/d(output) of those rows, after their forward.</summary>
    public abstract void BackwardRows(int first, int count, int worker, Sgemm gemm);

    /// <summary>The gradients of <see cref="Parameters"/>, summed over the batch in row order, after every row's backward.</summary>
    public virtual void ParameterGrads(Sgemm gemm, int batch)
    {
    }

    /// <summary>The forward pass of a whole batch (predictions): bottom [B, d], embeddings [B, T, d] to output [B, Width].</summary>
    public virtual void Forward(ReadOnlySpan<float> bottom, ReadOnlySpan<float> embeddings, Span<float> output, int batch, Sgemm gemm)
    {
        if (output.Length < batch * Width) throw new ArgumentException("Output buffer too small.", nameof(output));
        fixed (float* pb = bottom, pe = embeddings, po = output)
        {
            SetBuffers(pb, pe, po, null, null, null);
            try
            {
                ForwardRows(0, batch, worker: 0, gemm);
            }
            finally
            {
                SetBuffers(null, null, null, null, null, null);
            }
        }
    }

    public virtual void Dispose()
    {
    }
}
