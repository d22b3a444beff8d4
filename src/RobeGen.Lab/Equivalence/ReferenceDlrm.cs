using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Lab.Equivalence;

/// <summary>
/// docs/model-math.md written the slow obvious way, in double precision, on the host: the one reference both the
/// tests and <c>robegen check</c> measure the backends against. From a <see cref="ModelState"/> it computes the
/// forward pass (<see cref="Logits"/>, <see cref="Loss"/>), one training step's analytic gradients layer by layer
/// (<see cref="TraceStep"/>), and the loss's gradient by central differences (<see cref="NumericGradient"/>).
/// <para>
/// It shares nothing with the backends but the embedding addressing, which is the declaration's and not the model
/// math's: a coordinate is read at <see cref="IEmbeddingKernels.SlotOf"/> of the given kernels (times its sign); a
/// QuotientRemainder coordinate, which has no single slot, is the product of the two rows the kernels' gather records,
/// and its gradient the product rule there.
/// </para>
/// </summary>
internal sealed class ReferenceDlrm
{
    private readonly EmbeddingLayout _layout;
    private readonly IEmbeddingKernels _kernels;
    private readonly List<Layer> _layers;
    private readonly int _bottomLayers;
    /// <summary>The state's float embedding array: the gather that records QuotientRemainder rows needs one to read.</summary>
    private readonly float[] _gatherWeights;
    /// <summary>DcnV2's cross layers (null for Dot and Cat).</summary>
    private readonly ReferenceCrossNetwork? _cross;

    public ReferenceDlrm(EmbeddingLayout layout, IEmbeddingKernels kernels, ModelState state)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(state);
        _layout = layout;
        _kernels = kernels;
        _layers = Layers(layout.Declaration);
        _bottomLayers = layout.Declaration.BottomMlp.Length;
        _gatherWeights = state["embedding"];
        foreach (var (name, values) in state.Tensors)
            if (!name.StartsWith("adagrad.", StringComparison.Ordinal)) Parameters[name] = values.Select(v => (double)v).ToArray();
        if (layout.Declaration.Interaction == InteractionKind.DcnV2) _cross = new ReferenceCrossNetwork(layout.Declaration, Parameters);
    }

    /// <summary>The parameters by <see cref="ModelState"/> name; change them to probe the loss.</summary>
    public Dictionary<string, double[]> Parameters { get; } = new();

    /// <summary>The logit of every row of <paramref name="batch"/>.</summary>
    public double[] Logits(Batch batch) => Forward(batch).Logits;

    /// <summary>Mean binary cross-entropy of the batch.</summary>
    public double Loss(Batch batch) => Forward(batch).Loss;

    /// <summary>dLoss/dparameter[index] by central differences.</summary>
    public double NumericGradient(Batch batch, string name, int index, double h = 1e-5)
    {
        double[] p = Parameters[name];
        double saved = p[index];
        p[index] = saved + h;
        double up = Loss(batch);
        p[index] = saved - h;
        double down = Loss(batch);
        p[index] = saved;
        return (up - down) / (2 * h);
    }

    /// <summary>
    /// One training step's forward and backward: every layer's output, the loss, and the gradient of every activation
    /// and parameter, including dL/dM of the embedding array, under the names the CUDA trace uses.
    /// </summary>
    public StepTrace TraceStep(Batch batch)
    {
        ForwardPass pass = Forward(batch);
        int rows = batch.Count, tables = _layout.TableCount, d = _layout.Dim, n = tables + 1;
        var trace = new StepTrace();
        for (int i = 0; i < _layers.Count; i++)
        {
            if (i == _bottomLayers)
            {
                trace.Add("gathered embeddings", ToFloat(pass.Embeddings));
                trace.Add("top MLP input", ToFloat(pass.Inputs[_bottomLayers]));
            }
            trace.Add($"{_layers[i].Name} output", ToFloat(pass.Outputs[i]));
        }

        // dL/ds of the mean BCE.
        var grad = new double[rows];
        for (int b = 0; b < rows; b++) grad[b] = (Sigmoid(pass.Logits[b]) - batch.Labels[b]) / rows;
        trace.Loss = (float)pass.Loss;
        trace.Add("logit gradient", ToFloat(grad));

        for (int i = _layers.Count - 1; i >= _bottomLayers; i--)
            grad = LinearBackward(_layers[i], pass.Inputs[i], grad, rows, trace, inputIsRelu: i > _bottomLayers);
        trace.Add("top MLP input gradient", ToFloat(grad));

        double[] u = pass.BottomOutput;
        int width = pass.TopInputWidth;
        var gradU = new double[rows * d];
        var gradE = new double[rows * tables * d];
        if (_layout.Declaration.Interaction != InteractionKind.Dot)
        {
            // Cat passes dL/dx0 through; DcnV2 takes it back through the cross layers first. Then x0 = [u, E] splits.
            double[] gradX0 = pass.Cross is { } cross ? _cross!.Backward(cross, grad, rows, (name, values) => trace.Add(name + " gradient", values.Select(v => (float)v).ToArray())) : grad;
            for (int b = 0; b < rows; b++)
            {
                Array.Copy(gradX0, b * width, gradU, b * d, d);
                Array.Copy(gradX0, b * width + d, gradE, b * tables * d, tables * d);
            }
        }
        // Dot interaction backward: R = [u, z_ij for i > j] with z_ij = <V_i, V_j>, V_0 = u and V_t+1 = embedding t.
        else for (int b = 0; b < rows; b++)
        {
            for (int k = 0; k < d; k++) gradU[b * d + k] = grad[b * width + k];
            int pair = 0;
            for (int i = 1; i < n; i++)
                for (int j = 0; j < i; j++, pair++)
                {
                    double g = grad[b * width + d + pair];
                    for (int k = 0; k < d; k++)
                    {
                        AddToVector(b, i, k, g * pass.Vector(b, j, k));
                        AddToVector(b, j, k, g * pass.Vector(b, i, k));
                    }
                }
        }
        void AddToVector(int b, int v, int k, double value)
        {
            if (v == 0) gradU[b * d + k] += value;
            else gradE[(b * tables + v - 1) * d + k] += value;
        }
        trace.Add("embedding output gradient", ToFloat(gradE));

        // Bottom MLP backward (its output went through a ReLU too).
        for (int e = 0; e < gradU.Length; e++) if (!(u[e] > 0)) gradU[e] = 0;
        grad = gradU;
        for (int i = _bottomLayers - 1; i >= 0; i--)
            grad = LinearBackward(_layers[i], pass.Inputs[i], grad, rows, trace, inputIsRelu: i > 0);

        trace.Add("embedding gradient", ToFloat(EmbeddingGradient(batch, pass, gradE)));
        return trace;
    }

    /// <summary>dL/dM, slot by slot (QuotientRemainder: the product rule at the two recorded rows); every id of a multi-hot
    /// cell gets the cell's gradient (divided by the count for Mean).</summary>
    private double[] EmbeddingGradient(Batch batch, ForwardPass pass, double[] gradE)
    {
        int rows = batch.Count, tables = _layout.TableCount, d = _layout.Dim;
        double[] m = Parameters["embedding"];
        var gradM = new double[_layout.TotalParameters];
        for (int b = 0; b < rows; b++)
            for (int t = 0; t < tables; t++)
            {
                int cell = b * tables + t;
                var (first, end) = IdsOf(batch, cell);
                for (int i = first; i < end; i++)
                    for (int j = 0; j < d; j++)
                    {
                        double g = gradE[cell * d + j];
                        if (_layout.Pooling[t] == Pooling.Mean) g /= end - first;
                        if (_layout.Storage[t] == EmbeddingStorage.QuotientRemainder)
                        {
                            var (quotient, remainder) = pass.QuotientRemainderRows(i);
                            gradM[quotient + j] += g * m[remainder + j];
                            gradM[remainder + j] += g * m[quotient + j];
                            continue;
                        }
                        var (slot, sign) = _kernels.SlotOf(_layout, t, IdAt(batch, i), j);
                        gradM[slot] += sign * g;
                    }
            }
        return gradM;
    }

    /// <summary>The ids of a cell: [first, end) into BagIds for a multi-hot batch, the one token [cell, cell + 1) otherwise.</summary>
    private static (int First, int End) IdsOf(Batch batch, int cell) =>
        batch.IsMultiHot ? (batch.BagOffsets[cell], batch.BagOffsets[cell + 1]) : (cell, cell + 1);

    private static ulong IdAt(Batch batch, int i) => batch.IsMultiHot ? batch.BagIds[i] : batch.Tokens[i];

    private ForwardPass Forward(Batch batch)
    {
        int rows = batch.Count, tables = _layout.TableCount, d = _layout.Dim, n = tables + 1;
        int records = batch.IsMultiHot ? batch.IdCount : rows * tables;
        var pass = new ForwardPass(rows, tables, d, _layout.MaxBlocks, records) { TopInputWidth = _layout.Declaration.TopInputWidth };
        if (_layout.HasQuotientRemainder)
        {
            if (batch.IsMultiHot)
                _kernels.GatherBags(_layout, _gatherWeights, batch.BagOffsets.AsSpan(0, rows * tables + 1), batch.BagIds, rows, pass.BlockStarts,
                    new float[rows * tables * d]);
            else
                _kernels.Gather(_layout, _gatherWeights, batch.TokenSpan, rows, pass.BlockStarts, new float[rows * tables * d]);
        }

        double[] x = batch.DenseSpan.ToArray().Select(v => (double)v).ToArray();
        for (int i = 0; i < _bottomLayers; i++) x = pass.Layer(x, Linear(_layers[i], x, rows));

        pass.BottomOutput = x;

        double[] m = Parameters["embedding"];
        for (int b = 0; b < rows; b++)
            for (int t = 0; t < tables; t++)
            {
                int cell = b * tables + t;
                Span<double> e = pass.Embeddings.AsSpan(cell * d, d);
                var (first, end) = IdsOf(batch, cell);
                // A multi-hot cell pools its ids' embeddings: their sum, divided by the count for Mean (zeros when empty).
                for (int i = first; i < end; i++)
                {
                    if (_layout.Storage[t] == EmbeddingStorage.QuotientRemainder)
                    {
                        var (quotient, remainder) = pass.QuotientRemainderRows(i);
                        for (int j = 0; j < d; j++) e[j] += m[quotient + j] * m[remainder + j];
                        continue;
                    }
                    for (int j = 0; j < d; j++)
                    {
                        var (slot, sign) = _kernels.SlotOf(_layout, t, IdAt(batch, i), j);
                        e[j] += sign * m[slot];
                    }
                }
                if (_layout.Pooling[t] == Pooling.Mean && end - first > 0)
                    for (int j = 0; j < d; j++) e[j] /= end - first;
            }

        x = _layout.Declaration.Interaction == InteractionKind.Dot ? DotInteraction(pass, x, rows) : Concatenated(pass, rows);
        if (_cross is not null)
        {
            x = _cross.Forward(x, rows, out ReferenceCrossNetwork.Activations cross);
            pass.Cross = cross;
        }
        for (int i = _bottomLayers; i < _layers.Count; i++) x = pass.Layer(x, Linear(_layers[i], x, rows));
        pass.Logits = x;

        // Mean BCE on logits, in the overflow-free form max(s, 0) - s y + log(1 + e^-|s|).
        double loss = 0;
        for (int b = 0; b < rows; b++)
        {
            double s = x[b], y = batch.Labels[b];
            loss += Math.Max(s, 0) - s * y + Math.Log(1 + Math.Exp(-Math.Abs(s)));
        }
        pass.Loss = loss / rows;
        return pass;
    }

    /// <summary>x0 = [u, E_1, .., E_T] of every row (Cat's output, DcnV2's input).</summary>
    private static double[] Concatenated(ForwardPass pass, int rows)
    {
        int width = pass.TopInputWidth, d = pass.BottomOutput.Length / Math.Max(rows, 1);
        var x0 = new double[rows * width];
        for (int b = 0; b < rows; b++)
            for (int v = 0; v * d < width; v++)
                for (int k = 0; k < d; k++) x0[b * width + v * d + k] = pass.Vector(b, v, k);
        return x0;
    }

    /// <summary>Dot interaction: R = [u, z_ij for i > j].</summary>
    private static double[] DotInteraction(ForwardPass pass, double[] x, int rows)
    {
        int width = pass.TopInputWidth, d = x.Length / Math.Max(rows, 1), n = pass.Vectors;
        var r = new double[rows * width];
        for (int b = 0; b < rows; b++)
        {
            for (int k = 0; k < d; k++) r[b * width + k] = x[b * d + k];
            int pair = 0;
            for (int i = 1; i < n; i++)
                for (int j = 0; j < i; j++, pair++)
                {
                    double dot = 0;
                    for (int k = 0; k < d; k++) dot += pass.Vector(b, i, k) * pass.Vector(b, j, k);
                    r[b * width + d + pair] = dot;
                }
        }
        return r;
    }

    /// <summary>What a forward pass leaves for the backward: every layer's input and output, the embeddings, the loss.</summary>
    private sealed class ForwardPass(int rows, int tables, int dim, int maxBlocks, int records)
    {
        public List<double[]> Inputs { get; } = new();
        public List<double[]> Outputs { get; } = new();
        /// <summary>u, the bottom MLP's output (after its ReLU).</summary>
        public double[] BottomOutput { get; set; } = [];
        public double[] Embeddings { get; } = new double[rows * tables * dim];
        /// <summary>The gather's record of where each (row, table) read; filled and used for QuotientRemainder tables only.</summary>
        public long[] BlockStarts { get; } = new long[records * maxBlocks];
        public double[] Logits { get; set; } = [];
        public double Loss { get; set; }
        public int TopInputWidth { get; init; }
        public int Vectors => tables + 1;
        /// <summary>The cross layers' activations (DcnV2 only).</summary>
        public ReferenceCrossNetwork.Activations? Cross { get; set; }

        public double[] Layer(double[] input, double[] output)
        {
            Inputs.Add(input);
            Outputs.Add(output);
            return output;
        }

        /// <summary>Vector v of row b: the bottom MLP's output for v = 0, table v - 1's embedding otherwise.</summary>
        public double Vector(int b, int v, int k) => v == 0 ? BottomOutput[b * dim + k] : Embeddings[(b * tables + v - 1) * dim + k];

        /// <summary>The rows a QuotientRemainder lookup read: record <paramref name="index"/> (a cell's, or a multi-hot id's).</summary>
        public (long Quotient, long Remainder) QuotientRemainderRows(int index)
        {
            long record = (long)index * maxBlocks;
            return (BlockStarts[record], BlockStarts[record + 1]);
        }
    }

    private sealed record Layer(string Name, int FanIn, int FanOut, bool Relu);

    private static List<Layer> Layers(ModelDeclaration declaration)
    {
        var list = new List<Layer>();
        int fanIn = declaration.DenseFeatures;
        for (int i = 0; i < declaration.BottomMlp.Length; i++)
        {
            list.Add(new($"bottom.{i}", fanIn, declaration.BottomMlp[i], true));
            fanIn = declaration.BottomMlp[i];
        }
        fanIn = declaration.TopInputWidth;
        for (int i = 0; i <= declaration.TopMlp.Length; i++)
        {
            bool logit = i == declaration.TopMlp.Length;
            int fanOut = logit ? 1 : declaration.TopMlp[i];
            list.Add(new($"top.{i}", fanIn, fanOut, !logit));
            fanIn = fanOut;
        }
        return list;
    }

    private double[] Linear(Layer layer, double[] x, int rows)
    {
        double[] w = Parameters[layer.Name + ".weight"], bias = Parameters[layer.Name + ".bias"];
        var y = new double[rows * layer.FanOut];
        for (int b = 0; b < rows; b++)
            for (int o = 0; o < layer.FanOut; o++)
            {
                double sum = bias[o];
                for (int i = 0; i < layer.FanIn; i++) sum += x[b * layer.FanIn + i] * w[o * layer.FanIn + i];
                y[b * layer.FanOut + o] = layer.Relu ? Math.Max(sum, 0) : sum;
            }
        return y;
    }

    private double[] LinearBackward(Layer layer, double[] x, double[] gradY, int rows, StepTrace trace, bool inputIsRelu)
    {
        double[] w = Parameters[layer.Name + ".weight"];
        var gradW = new double[layer.FanOut * layer.FanIn];
        var gradB = new double[layer.FanOut];
        var gradX = new double[rows * layer.FanIn];
        for (int b = 0; b < rows; b++)
            for (int o = 0; o < layer.FanOut; o++)
            {
                double g = gradY[b * layer.FanOut + o];
                gradB[o] += g;
                for (int i = 0; i < layer.FanIn; i++)
                {
                    gradW[o * layer.FanIn + i] += g * x[b * layer.FanIn + i];
                    gradX[b * layer.FanIn + i] += g * w[o * layer.FanIn + i];
                }
            }
        if (inputIsRelu)
            for (int e = 0; e < gradX.Length; e++) if (!(x[e] > 0)) gradX[e] = 0;
        trace.Add($"{layer.Name}.weight gradient", ToFloat(gradW));
        trace.Add($"{layer.Name}.bias gradient", ToFloat(gradB));
        return gradX;
    }

    private static double Sigmoid(double s) => 1 / (1 + Math.Exp(-s));

    private static float[] ToFloat(double[] values) => values.Select(v => (float)v).ToArray();
}
