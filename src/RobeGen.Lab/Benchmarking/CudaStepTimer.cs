using System.Diagnostics;
using RobeGen.Cuda;
using RobeGen.Data;

namespace RobeGen.Lab.Benchmarking;

/// <summary>Times of the embedding layer alone (milliseconds per batch, averaged).</summary>
/// <param name="Forward">The generated gather of every table in one launch.</param>
/// <param name="ForwardBackwardUpdate">Gather, gradient scatter and the embedding's optimizer update, as a step runs them.</param>
internal readonly record struct EmbeddingLayerTimes(double Forward, double ForwardBackwardUpdate);

/// <summary>Parts of a CUDA model's work timed alone on a batch uploaded once, for <c>robegen bench</c>.</summary>
internal static class CudaStepTimer
{
    /// <summary>
    /// Times <paramref name="repetitions"/> gathers and as many gather + backward + update rounds, each queued back to
    /// back and ended by one device sync (launches overlap as in a real step); issue 5's memory-floor targets. The
    /// backward scatters whatever dL/dE the last step left: the work, not the values, is timed.
    /// </summary>
    public static EmbeddingLayerTimes MeasureEmbeddingLayer(CudaDlrmBackend model, Batch batch, float learningRate, int repetitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        CudaDlrmBackend.StepPhases phases = model.Phases;
        phases.Upload(batch);
        int rows = batch.Count;
        double forward = Time(phases, repetitions, () => phases.GatherEmbeddings(rows));
        double full = Time(phases, repetitions, () =>
        {
            phases.GatherEmbeddings(rows);
            phases.EmbeddingBackwardAndUpdate(rows, learningRate);
        });
        phases.ReleaseUpload();
        return new EmbeddingLayerTimes(forward, full);
    }

    /// <summary>
    /// Milliseconds per batch of inference with the inputs already on the device and the probabilities left there (the
    /// PyTorch baseline's condition): forward + sigmoid <paramref name="repetitions"/> times back to back, one sync.
    /// </summary>
    public static double MeasureDeviceInference(CudaDlrmBackend model, Batch batch, int repetitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        CudaDlrmBackend.StepPhases phases = model.Phases;
        phases.Upload(batch, withLabels: false);
        int rows = batch.Count;
        double ms = Time(phases, repetitions, () =>
        {
            phases.PredictForward(rows);
        });
        phases.ReleaseUpload();
        return ms;
    }

    private static double Time(CudaDlrmBackend.StepPhases phases, int repetitions, Action work)
    {
        work(); // warm-up (kernels are compiled in the constructor; this settles caches and clocks)
        phases.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < repetitions; r++) work();
        phases.Synchronize();
        return clock.Elapsed.TotalMilliseconds / repetitions;
    }
}
