using RobeGen.Cuda;
using RobeGen.Data;

namespace RobeGen.Lab.Benchmarking;

/// <summary>Where a CUDA training step's time goes, phase by phase (the profile lines of <c>robegen check</c>).</summary>
internal static class StepProfiler
{
    /// <summary>
    /// Each phase is queued alone and followed by a device sync, so the times include one launch-and-wait each (the
    /// real step overlaps them). Averages over <paramref name="repetitions"/> steps.
    /// </summary>
    public static IReadOnlyList<(string Phase, double Milliseconds)> ProfileTrainStep(CudaDlrmBackend model, Batch batch, float learningRate, int repetitions)
    {
        CudaDlrmBackend.StepPhases step = model.Phases;
        int rows = batch.Count;
        ActivationBuffer gradTopInput = step.Tensors.GradA;
        var phases = new (string Name, Action Run)[]
        {
            ("upload batch", () => step.Upload(batch)),
            ("bottom MLP forward", () => step.BottomForward(rows)),
            ("embedding gather", () => step.GatherEmbeddings(rows)),
            ("interaction forward", () => step.InteractionForward(rows)),
            ("top MLP forward", () => step.TopForward(rows)),
            ("loss", () => step.Loss(rows)),
            ("top MLP backward", () => gradTopInput = step.BackwardTop(rows)),
            ("interaction backward", () => step.InteractionBackward(rows, gradTopInput, step.FusesEmbeddingSgd ? -learningRate : 1f)),
            ("bottom MLP backward", () => step.BottomBackward(rows)),
            (step.FusesEmbeddingSgd ? "embedding scatter+SGD (fused)" : "embedding gradient", () => step.EmbeddingBackwardAndUpdate(rows, learningRate)),
            ("dense update", () => { step.DenseUpdate(learningRate); step.ReleaseUpload(); }),
        };
        var totals = new double[phases.Length];
        var clock = new System.Diagnostics.Stopwatch();
        step.Synchronize();
        for (int r = 0; r < repetitions; r++)
            for (int p = 0; p < phases.Length; p++)
            {
                clock.Restart();
                phases[p].Run();
                step.Synchronize();
                totals[p] += clock.Elapsed.TotalMilliseconds;
            }
        step.StepsQueued(repetitions);
        return phases.Select((phase, p) => (phase.Name, totals[p] / repetitions)).ToArray();
    }
}
