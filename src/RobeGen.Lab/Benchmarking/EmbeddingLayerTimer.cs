using System.Diagnostics;
using RobeGen.Cuda;
using RobeGen.Data;

namespace RobeGen.Lab.Benchmarking;

/// <summary>Times of the embedding layer alone (milliseconds per batch, averaged).</summary>
/// <param name="Forward">The generated gather of every table in one launch.</param>
/// <param name="ForwardBackwardUpdate">Gather, gradient scatter and the embedding's optimizer update, as a step runs them.</param>
internal readonly record struct EmbeddingLayerTimes(double Forward, double ForwardBackwardUpdate);

/// <summary>The embedding layer of a CUDA model timed alone, for <c>robegen bench</c> (issue 5's memory-floor targets).</summary>
internal static class EmbeddingLayerTimer
{
    /// <summary>
    /// Uploads <paramref name="batch"/> once, then times <paramref name="repetitions"/> gathers and as many
    /// gather + backward + update rounds, each queued back to back and ended by one device sync (launches overlap as
    /// in a real step). The backward scatters whatever dL/dE the last step left: the work, not the values, is timed.
    /// </summary>
    public static EmbeddingLayerTimes Measure(CudaDlrmBackend model, Batch batch, float learningRate, int repetitions)
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
        return new EmbeddingLayerTimes(forward, full);
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
