using System.Diagnostics;
using RobeGen.Data;

namespace RobeGen.Cuda;

/// <summary>Times of the embedding layer alone (milliseconds per batch, averaged).</summary>
/// <param name="Forward">The generated gather of every table in one launch.</param>
/// <param name="ForwardBackwardUpdate">Gather, gradient scatter and the embedding's optimizer update, as a step runs them.</param>
public readonly record struct EmbeddingLayerTimes(double Forward, double ForwardBackwardUpdate);

// The embedding layer timed alone, for `robegen bench` (issue 5's memory-floor targets).
public sealed partial class CudaDlrmBackend
{
    /// <summary>
    /// Uploads <paramref name="batch"/> once, then times <paramref name="repetitions"/> gathers and as many
    /// gather + backward + update rounds, each queued back to back and ended by one device sync (launches overlap as
    /// in a real step). The backward scatters whatever dL/dE the last step left: the work, not the values, is timed.
    /// </summary>
    public EmbeddingLayerTimes MeasureEmbeddingLayer(Batch batch, float learningRate, int repetitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        _device.Accelerator.Bind();
        _uploader.Upload(batch, withLabels: true);
        int rows = batch.Count;
        double forward = Time(repetitions, () => GatherEmbeddings(rows));
        double full = Time(repetitions, () =>
        {
            GatherEmbeddings(rows);
            EmbeddingBackwardAndUpdate(rows, learningRate);
        });
        _uploader.Release();
        return new EmbeddingLayerTimes(forward, full);
    }

    /// <summary>
    /// Milliseconds per batch of inference with the inputs already on the device and the probabilities left there (the
    /// PyTorch baseline's condition): <paramref name="batch"/> is uploaded once, then forward + sigmoid run
    /// <paramref name="repetitions"/> times back to back, ended by one device sync.
    /// </summary>
    public double MeasureDeviceInference(Batch batch, int repetitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        _device.Accelerator.Bind();
        _uploader.Upload(batch, withLabels: false);
        int rows = batch.Count;
        double ms = Time(repetitions, () =>
        {
            Forward(rows, probabilities: true);
        });
        _uploader.Release();
        return ms;
    }

    /// <summary>The embedding's share of the backward pass and update: fused scatter-SGD, or scatter then update.</summary>
    private void EmbeddingBackwardAndUpdate(int rows, float learningRate)
    {
        if (FusesEmbeddingSgd)
            ((AtomicEmbeddingGradient)_embeddingGradient).ScatterInto(rows, EmbeddingArgs(rows), CoordinateArgs(rows), _t.Embedding.View);
        else
        {
            _embeddingGradient.Accumulate(rows, EmbeddingArgs(rows), CoordinateArgs(rows));
            EmbeddingUpdate(rows, learningRate);
        }
    }

    private double Time(int repetitions, Action work)
    {
        work(); // warm-up (kernels are compiled in the constructor; this settles caches and clocks)
        _device.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < repetitions; r++) work();
        _device.Synchronize();
        return clock.Elapsed.TotalMilliseconds / repetitions;
    }
}
