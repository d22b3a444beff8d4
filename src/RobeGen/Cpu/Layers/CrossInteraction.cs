using System.Numerics.Tensors;
using RobeGen.Cpu.Gemm;
using RobeGen.Initialization;

namespace RobeGen.Cpu.Layers;

/// <summary>
/// DcnV2 (docs/model-math.md): x0 = [u, E_1, .., E_T] (width D), then L cross layers
/// x_{l+1} = x0 * y_l + x_l with y_l = U_l (V_l x_l) + b_l (rank r) or W_l x_l + b_l (full rank); the output is x_L.
/// Every product is an <see cref="Sgemm"/> call on the rows of a block, so a row's result does not depend on the rows
/// beside it; the parameter gradients are sums over the batch in row order (one item), so the bits do not depend on
/// the thread count either.
/// <para>
/// Backward from g = dL/dx_{l+1}: dy = x0 * g; dL/dx0 gathers y * g from every layer; dL/dx_l = g + dy U V (low rank,
/// through dh = dy U) or g + dy W. Gradients: dU = dy^T h, dV = dh^T x_l, dW = dy^T x_l, db = column sums of dy.
/// </para>
/// </summary>
internal sealed unsafe class CrossInteraction : FeatureInteraction
{
    private readonly int _dim, _tables, _width, _rank, _layers;
    /// <summary>Per layer: V [r, D] (low rank) or W [D, D] (full rank); U [D, r] (low rank only); the bias [D].</summary>
    private readonly float[][] _first, _second, _bias, _firstGrad, _secondGrad, _biasGrad;
    /// <summary>Per layer, [maxBatch, D]: the input x_l (x_0 = [u, E]), y_l, and dy_l of the backward pass.</summary>
    private readonly float[][] _x, _y, _dy;
    /// <summary>Per layer, [maxBatch, r] (low rank): h = V x_l and dh = dy U.</summary>
    private readonly float[][] _h, _dh;
    /// <summary>[maxBatch, D]: the running dL/dx_l, and the part of dL/dx0 that comes through the products x0 * y.</summary>
    private readonly float[] _g, _dx0;
    private readonly InteractionTensor[] _parameters;

    public CrossInteraction(ModelDeclaration declaration, int maxBatch)
    {
        _dim = declaration.EmbeddingDim;
        _tables = declaration.TableCount;
        _width = declaration.ConcatWidth;
        _rank = declaration.CrossRank;
        _layers = declaration.CrossLayers;
        int rows = checked(maxBatch * _width), codes = checked(maxBatch * _rank);
        float[][] PerLayer(int length) => Enumerable.Range(0, _layers).Select(_ => new float[length]).ToArray();
        _first = PerLayer(_rank > 0 ? checked(_rank * _width) : checked(_width * _width));
        _second = PerLayer(_rank > 0 ? checked(_width * _rank) : 0);
        _bias = PerLayer(_width);
        _firstGrad = PerLayer(_first[0].Length);
        _secondGrad = PerLayer(_second[0].Length);
        _biasGrad = PerLayer(_width);
        _x = PerLayer(rows);
        _y = PerLayer(rows);
        _dy = PerLayer(rows);
        _h = PerLayer(codes);
        _dh = PerLayer(codes);
        _g = new float[rows];
        _dx0 = new float[rows];

        var parameters = new List<InteractionTensor>();
        for (int l = 0; l < _layers; l++)
        {
            if (_rank > 0)
            {
                parameters.Add(new InteractionTensor(ModelTensors.CrossV(l), _first[l], _firstGrad[l]));
                parameters.Add(new InteractionTensor(ModelTensors.CrossU(l), _second[l], _secondGrad[l]));
            }
            else
            {
                parameters.Add(new InteractionTensor(ModelTensors.CrossWeight(l), _first[l], _firstGrad[l]));
            }
            parameters.Add(new InteractionTensor(ModelTensors.CrossBias(l), _bias[l], _biasGrad[l]));
        }
        _parameters = [.. parameters];
    }

    public override int Width => _width;
    public override IReadOnlyList<InteractionTensor> Parameters => _parameters;

    private Span<float> Rows(float[] buffer, int columns, int first, int count) => buffer.AsSpan(first * columns, count * columns);

    public override void ForwardRows(int first, int count, int worker, Sgemm gemm)
    {
        int d = _width, r = _rank;
        fixed (float* x0 = _x[0]) ConcatInteraction.Concat(Bottom, Embeddings, x0, _dim, _tables, first, count);
        ReadOnlySpan<float> x0Rows = Rows(_x[0], d, first, count);
        for (int l = 0; l < _layers; l++)
        {
            Span<float> x = Rows(_x[l], d, first, count), y = Rows(_y[l], d, first, count);
            if (r > 0)
            {
                Span<float> h = Rows(_h[l], r, first, count);
                gemm.Multiply(transA: false, transB: true, count, r, d, x, d, _first[l], d, h, r);
                gemm.Multiply(transA: false, transB: true, count, d, r, h, r, _second[l], r, y, d, accumulate: false, _bias[l]);
            }
            else
            {
                gemm.Multiply(transA: false, transB: true, count, d, d, x, d, _first[l], d, y, d, accumulate: false, _bias[l]);
            }
            Span<float> next = l == _layers - 1 ? new Span<float>(Output + (long)first * d, count * d) : Rows(_x[l + 1], d, first, count);
            TensorPrimitives.FusedMultiplyAdd(x0Rows, y, x, next);
        }
    }

    public override void BackwardRows(int first, int count, int worker, Sgemm gemm)
    {
        int d = _width, r = _rank;
        Span<float> g = Rows(_g, d, first, count), dx0 = Rows(_dx0, d, first, count);
        new ReadOnlySpan<float>(OutputGrad + (long)first * d, count * d).CopyTo(g);
        dx0.Clear();
        ReadOnlySpan<float> x0Rows = Rows(_x[0], d, first, count);
        for (int l = _layers - 1; l >= 0; l--)
        {
            Span<float> dy = Rows(_dy[l], d, first, count);
            TensorPrimitives.Multiply(x0Rows, g, dy);
            TensorPrimitives.FusedMultiplyAdd(Rows(_y[l], d, first, count), g, dx0, dx0);
            // g becomes dL/dx_l: the skip connection's g plus the path through y_l.
            if (r > 0)
            {
                Span<float> dh = Rows(_dh[l], r, first, count);
                gemm.Multiply(transA: false, transB: false, count, r, d, dy, d, _second[l], r, dh, r);
                gemm.Multiply(transA: false, transB: false, count, d, r, dh, r, _first[l], d, g, d, accumulate: true);
            }
            else
            {
                gemm.Multiply(transA: false, transB: false, count, d, d, dy, d, _first[l], d, g, d, accumulate: true);
            }
        }
        TensorPrimitives.Add(g, dx0, g);
        fixed (float* dx = _g) ConcatInteraction.Split(dx, BottomGrad, EmbeddingGrad, _dim, _tables, first, count);
    }

    public override void ParameterGrads(Sgemm gemm, int batch)
    {
        int d = _width, r = _rank;
        for (int l = 0; l < _layers; l++)
        {
            ReadOnlySpan<float> dy = Rows(_dy[l], d, 0, batch), x = Rows(_x[l], d, 0, batch);
            if (r > 0)
            {
                gemm.Multiply(transA: true, transB: false, d, r, batch, dy, d, Rows(_h[l], r, 0, batch), r, _secondGrad[l], r);
                gemm.Multiply(transA: true, transB: false, r, d, batch, Rows(_dh[l], r, 0, batch), r, x, d, _firstGrad[l], d);
            }
            else
            {
                gemm.Multiply(transA: true, transB: false, d, d, batch, dy, d, x, d, _firstGrad[l], d);
            }
            fixed (float* pdy = _dy[l], sums = _biasGrad[l])
                BiasReluBackward.MaskAndSumColumns(pdy, null, batch, d, 0, d, sums);
        }
    }
}
