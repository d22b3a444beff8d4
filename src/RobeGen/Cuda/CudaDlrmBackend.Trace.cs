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
        var (gradTopInput, free) = BackwardTop(rows);
        float[] gradTopInputValues = Download(gradTopInput.SubView(0, (long)rows * _interaction.OutputWidth)); // overwritten below
        InteractionBackward(rows, gradTopInput);
        BottomBackward(rows, gradTopInput, free);
        _embeddingGradient.Accumulate(rows, EmbeddingArgs(rows), CoordinateArgs(rows));

        var trace = new StepTrace();
        for (int i = 0; i < _mlp.Bottom.Count; i++)
            trace.Add($"{_mlp.Bottom[i].Name} output", Download(_t.BottomOutputs[i].View.SubView(0, (long)rows * _mlp.Bottom[i].FanOut)));
        trace.Add("gathered embeddings", Download(_t.Embeddings.View.SubView(0, (long)rows * tables * d)));
        trace.Add("top MLP input", Download(_t.TopInput.View.SubView(0, (long)rows * _interaction.OutputWidth)));
        for (int i = 0; i < _mlp.Top.Count; i++)
            trace.Add($"{_mlp.Top[i].Name} output", Download(_t.TopOutputs[i].View.SubView(0, (long)rows * _mlp.Top[i].FanOut)));
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

    /// <summary>
    /// Where a training step's time goes: each phase is queued alone and followed by a device sync, so the times
    /// include one launch-and-wait each (the real step overlaps them). Averages over <paramref name="repetitions"/> steps.
    /// </summary>
    public IReadOnlyList<(string Phase, double Milliseconds)> ProfileTrainStep(Batch batch, float learningRate, int repetitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        int rows = batch.Count;
        ArrayView<float> gradTopInput = default, free = default;
        var phases = new (string Name, Action Run)[]
        {
            ("upload batch", () => _uploader.Upload(batch, withLabels: true)),
            ("bottom MLP forward", () => BottomForward(rows)),
            ("embedding gather", () => GatherEmbeddings(rows)),
            ("interaction forward", () => InteractionForward(rows)),
            ("top MLP forward", () => TopForward(rows)),
            ("loss", () => LossAndGradient(rows)),
            ("top MLP backward", () => (gradTopInput, free) = BackwardTop(rows)),
            ("interaction backward", () => InteractionBackward(rows, gradTopInput)),
            ("bottom MLP backward", () => BottomBackward(rows, gradTopInput, free)),
            ("embedding gradient", () => _embeddingGradient.Accumulate(rows, EmbeddingArgs(rows), CoordinateArgs(rows))),
            ("dense update", () => DenseUpdate(learningRate)),
            ("embedding update", () => EmbeddingUpdate(rows, learningRate)),
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
