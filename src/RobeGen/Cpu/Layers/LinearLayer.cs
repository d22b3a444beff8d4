using RobeGen.Cpu.Gemm;

namespace RobeGen.Cpu.Layers;

/// <summary>
/// A fully connected layer y = x W^T + b (W row-major [out, in], as PyTorch's nn.Linear), optionally followed by a
/// ReLU, with its parameters, gradients and activation buffers (allocated once for the largest batch).
/// </summary>
internal sealed class LinearLayer : IDisposable
{
    /// <summary>W^T in the GEMM's panels, packed once per version of the weights (see <see cref="Forward(Sgemm, ReadOnlySpan{float}, int, long)"/>).</summary>
    private readonly PackedMatrix _packedWeight = new();

    public LinearLayer(int inputs, int outputs, bool relu, int maxBatch)
    {
        Inputs = inputs;
        Outputs = outputs;
        HasRelu = relu;
        Weight = new float[checked(inputs * outputs)];
        Bias = new float[outputs];
        WeightGrad = new float[Weight.Length];
        BiasGrad = new float[outputs];
        Output = new float[checked(maxBatch * outputs)];
        OutputGrad = new float[Output.Length];
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public bool HasRelu { get; }
    public float[] Weight { get; }
    public float[] Bias { get; }
    public float[] WeightGrad { get; }
    public float[] BiasGrad { get; }
    /// <summary>[batch, out]: the layer's output (after the ReLU when it has one).</summary>
    public float[] Output { get; }
    /// <summary>[batch, out]: dL/d(output); the caller fills it before <see cref="Backward"/>.</summary>
    public float[] OutputGrad { get; }

    /// <summary>Output = relu?(input W^T + b) for <paramref name="batch"/> rows of width <see cref="Inputs"/>.</summary>
    public void Forward(Sgemm gemm, ReadOnlySpan<float> input, int batch)
    {
        _packedWeight.Version = -1; // the weights may have changed under us
        Forward(gemm, input, batch, weightsVersion: 0);
    }

    /// <summary>
    /// <see cref="Forward(Sgemm, ReadOnlySpan{float}, int)"/> when the caller counts changes of the weights: W is
    /// packed again only when <paramref name="weightsVersion"/> differs from the packed one, so repeated predictions
    /// skip the packing (which, for a single row, costs as much as the product).
    /// </summary>
    public void Forward(Sgemm gemm, ReadOnlySpan<float> input, int batch, long weightsVersion)
    {
        if (Outputs == 1)
        {
            // The logit layer: Sgemm runs one dot per row from W itself, no panels needed.
            gemm.Multiply(transA: false, transB: true, batch, Outputs, Inputs, input, Inputs, Weight, Inputs,
                Output, Outputs, accumulate: false, Bias, HasRelu);
            return;
        }
        if (_packedWeight.Version != weightsVersion)
        {
            gemm.Pack(transB: true, Outputs, Inputs, Weight, Inputs, _packedWeight);
            _packedWeight.Version = weightsVersion;
        }
        gemm.MultiplyPacked(batch, input, Inputs, _packedWeight, Output, Outputs, accumulate: false, Bias, HasRelu);
    }

    /// <summary>
    /// From <see cref="OutputGrad"/>: dW = dZ^T x, db = column sums of dZ, and dL/dx = dZ W into
    /// <paramref name="inputGrad"/> unless it is empty (the first layer's input is data). dZ is OutputGrad masked by
    /// the ReLU, computed in place. (<see cref="BackwardRows"/> then <see cref="WeightGradRows"/> over everything.)
    /// </summary>
    public void Backward(Sgemm gemm, ReadOnlySpan<float> input, Span<float> inputGrad, int batch)
    {
        BackwardRows(gemm, inputGrad, 0, batch);
        WeightGradRows(gemm, input, batch, 0, Outputs);
    }

    /// <summary>Packs W^T for <see cref="ForwardRows"/> unless the panels already hold <paramref name="weightsVersion"/>.</summary>
    public void EnsurePacked(Sgemm gemm, long weightsVersion)
    {
        if (Outputs == 1 || _packedWeight.Version == weightsVersion) return;
        gemm.Pack(transB: true, Outputs, Inputs, Weight, Inputs, _packedWeight);
        _packedWeight.Version = weightsVersion;
    }

    /// <summary>
    /// Output rows [first, first + count) from the matching rows of <paramref name="inputRows"/>, with the panels of
    /// <see cref="EnsurePacked"/>: the product of <see cref="Forward(Sgemm, ReadOnlySpan{float}, int, long)"/>
    /// restricted to those rows, with the same bits (every output depends on its own row only).
    /// </summary>
    public void ForwardRows(Sgemm gemm, ReadOnlySpan<float> inputRows, int first, int count)
    {
        Span<float> output = Output.AsSpan(first * Outputs, count * Outputs);
        if (Outputs == 1)
            gemm.Multiply(transA: false, transB: true, count, Outputs, Inputs, inputRows, Inputs, Weight, Inputs, output, Outputs,
                accumulate: false, Bias, HasRelu);
        else
            gemm.MultiplyPacked(count, inputRows, Inputs, _packedWeight, output, Outputs, accumulate: false, Bias, HasRelu);
    }

    /// <summary>
    /// The per-row part of <see cref="Backward"/> for rows [first, first + count): dZ = OutputGrad masked by the ReLU (in
    /// place), then dL/dx = dZ W into <paramref name="inputGradRows"/> (those rows) unless it is empty.
    /// </summary>
    public unsafe void BackwardRows(Sgemm gemm, Span<float> inputGradRows, int first, int count)
    {
        Span<float> dz = OutputGrad.AsSpan(first * Outputs, count * Outputs);
        if (HasRelu)
        {
            fixed (float* g = dz, y = Output.AsSpan(first * Outputs, count * Outputs))
                BiasReluBackward.MaskAndSumColumns(g, y, count, Outputs, 0, Outputs, sums: null);
        }
        if (!inputGradRows.IsEmpty)
            gemm.Multiply(transA: false, transB: false, count, Inputs, Outputs, dz, Outputs, Weight, Inputs, inputGradRows, Inputs);
    }

    /// <summary>
    /// The batch-wide part of <see cref="Backward"/> for outputs [first, first + count), after <see cref="BackwardRows"/>
    /// of every row: those rows of dW = dZ^T x and those entries of db = column sums of dZ (each summed over the rows
    /// in row order, as <see cref="Backward"/> does).
    /// </summary>
    public unsafe void WeightGradRows(Sgemm gemm, ReadOnlySpan<float> input, int batch, int first, int count)
    {
        ReadOnlySpan<float> dz = OutputGrad.AsSpan(first, batch * Outputs - first);
        gemm.Multiply(transA: true, transB: false, count, Inputs, batch, dz, Outputs, input, Inputs,
            WeightGrad.AsSpan(first * Inputs, count * Inputs), Inputs);
        fixed (float* g = OutputGrad, sums = BiasGrad)
            BiasReluBackward.MaskAndSumColumns(g, null, batch, Outputs, first, count, sums + first);
    }

    public void Dispose() => _packedWeight.Dispose();
}
