using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda.Equivalence;
using RobeGen.Data;

namespace RobeGen.Cuda;

// A training step that stops before its update to copy every activation and gradient out (equivalence checks only).
public sealed partial class CudaDlrmBackend
{
    /// <summary>
    /// Runs one full training step like <see cref="TrainStep"/>, but copies every layer's activations and gradients
    /// to the host before the update, with the names <see cref="ReferenceDlrm"/> uses. Slow (many small copies).
    /// </summary>
    public StepTrace TraceTrainStep(Batch batch, float learningRate)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        _uploader.Upload(batch, withLabels: true);
        int rows = batch.Count, d = Layout.Dim, tables = Layout.TableCount;
        Forward(rows);
        LossAndGradient(rows);
        if (_options.Precision != Backends.Precision.Fp32) throw new NotSupportedException("Traces compare FP32 steps with the float64 reference.");
        ActivationBuffer gradTopInput = BackwardTop(rows);
        float[] gradTopInputValues = DownloadRows(gradTopInput.F32, rows, _interaction.OutputWidth, _interaction.OutputStride); // overwritten below
        InteractionBackward(rows, gradTopInput);
        BottomBackward(rows);
        _embeddingGradient.Accumulate(rows, EmbeddingArgs(rows), CoordinateArgs(rows));
        _uploader.Release();

        var trace = new StepTrace();
        for (int i = 0; i < _mlp.Bottom.Count; i++)
            trace.Add($"{_mlp.Bottom[i].Name} output", DownloadRows(_t.BottomOutputs[i].F32, rows, _mlp.Bottom[i].FanOut, _mlp.Bottom[i].OutputStride));
        trace.Add("gathered embeddings", Download(_t.Embeddings.View.SubView(0, (long)rows * tables * d)));
        trace.Add("top MLP input", DownloadRows(_t.TopInput.F32, rows, _interaction.OutputWidth, _interaction.OutputStride));
        for (int i = 0; i < _t.TopOutputs.Length; i++)
            trace.Add($"{_mlp.Top[i].Name} output", DownloadRows(_t.TopOutputs[i].F32, rows, _mlp.Top[i].FanOut, _mlp.Top[i].OutputStride));
        trace.Add($"{_mlp.Logit.Name} output", Download(_t.Logits.View.SubView(0, rows)));
        trace.Add("logit gradient", Download(_t.GradLogits.View.SubView(0, rows)));
        trace.Add("top MLP input gradient", gradTopInputValues);
        trace.Add("embedding output gradient", Download(_t.GradEmbeddings.View.SubView(0, (long)rows * tables * d)));
        foreach (var layer in _mlp.All)
        {
            trace.Add($"{layer.WeightName} gradient", Download(_t.WeightGradient(layer)));
            trace.Add($"{layer.BiasName} gradient", Download(_t.BiasGradient(layer)));
        }
        trace.Add("embedding gradient", Download(_t.EmbeddingGradients.View.SubView(0, Layout.TotalParameters)));
        trace.Loss = ReadLastLoss();

        Update(rows, learningRate);
        _stepsSinceLossRead++;
        _device.Synchronize();
        return trace;
    }

    /// <summary>Rows [0, rows) of a [rows, stride] tensor, each cut to its first <paramref name="width"/> columns.</summary>
    private float[] DownloadRows(ArrayView<float> view, int rows, int width, int stride)
    {
        float[] all = Download(view.SubView(0, (long)rows * stride));
        if (stride == width) return all;
        var values = new float[(long)rows * width];
        for (int r = 0; r < rows; r++) Array.Copy(all, (long)r * stride, values, (long)r * width, width);
        return values;
    }

    /// <summary>
    /// Where a training step's time goes: each phase is queued alone and followed by a device sync, so the times
    /// include one launch-and-wait each (the real step overlaps them). Averages over <paramref name="repetitions"/> steps.
    /// </summary>
    public IReadOnlyList<(string Phase, double Milliseconds)> ProfileTrainStep(Batch batch, float learningRate, int repetitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        int rows = batch.Count;
        ActivationBuffer gradTopInput = _t.GradA;
        var phases = new (string Name, Action Run)[]
        {
            ("upload batch", () => _uploader.Upload(batch, withLabels: true)),
            ("bottom MLP forward", () => BottomForward(rows)),
            ("embedding gather", () => GatherEmbeddings(rows)),
            ("interaction forward", () => InteractionForward(rows)),
            ("top MLP forward", () => TopForward(rows, probabilities: false)),
            ("loss", () => LossAndGradient(rows)),
            ("top MLP backward", () => gradTopInput = BackwardTop(rows)),
            ("interaction backward", () => InteractionBackward(rows, gradTopInput, FusesEmbeddingSgd ? -learningRate : 1f)),
            ("bottom MLP backward", () => BottomBackward(rows)),
            (FusesEmbeddingSgd ? "embedding scatter+SGD (fused)" : "embedding gradient", () => EmbeddingBackwardAndUpdate(rows, learningRate)),
            ("dense update", () => { DenseUpdate(learningRate); _uploader.Release(); }),
        };
        var totals = new double[phases.Length];
        var clock = new System.Diagnostics.Stopwatch();
        _device.Synchronize();
        for (int r = 0; r < repetitions; r++)
            for (int p = 0; p < phases.Length; p++)
            {
                clock.Restart();
                phases[p].Run();
                _device.Synchronize();
                totals[p] += clock.Elapsed.TotalMilliseconds;
            }
        _stepsSinceLossRead += repetitions;
        return phases.Select((phase, p) => (phase.Name, totals[p] / repetitions)).ToArray();
    }
}
