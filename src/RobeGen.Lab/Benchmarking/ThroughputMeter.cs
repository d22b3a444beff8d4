using System.Diagnostics;
using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Data;

namespace RobeGen.Lab.Benchmarking;

/// <summary>Samples per second of one model at one batch size (NaN where not measured).</summary>
/// <param name="Train">Training steps that each read the loss back (a host sync per step).</param>
/// <param name="TrainAsync">Training steps queued back to back, the mean loss read once at the end (CUDA only).</param>
/// <param name="Inference">Host batches to host probabilities, wall clock: uploads, compute and downloads overlapped (PredictionPipeline).</param>
/// <param name="InferenceOnDevice">CUDA only: forward + sigmoid with the batch already on the device and the probabilities left there.</param>
/// <param name="MsPerStep">Milliseconds per synced training step.</param>
/// <param name="Loss">Mean loss of the queued steps (a sanity check that training ran).</param>
internal sealed record ThroughputResult(double Train, double TrainAsync, double Inference, double InferenceOnDevice, double MsPerStep, float Loss);

/// <summary>
/// Training and inference throughput of a built backend on prepared batches. Kernel compilation happens when the
/// backend is built and warm-up steps run before the clock starts; each timing ends with a device sync.
/// </summary>
internal static class ThroughputMeter
{
    public const int WarmupSteps = 5;
    private const float LearningRate = 0.01f;

    public static ThroughputResult Measure(IDlrmBackend backend, IReadOnlyList<Batch> batches, int timedSteps, bool inference = true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (batches.Count == 0) throw new ArgumentException("No batches to time.", nameof(batches));
        ArgumentOutOfRangeException.ThrowIfLessThan(timedSteps, 1);
        int rows = batches[0].Count;
        Batch At(int i) => batches[i % batches.Count];

        float loss = float.NaN;
        for (int i = 0; i < WarmupSteps; i++) loss = backend.TrainStep(At(i), LearningRate);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < timedSteps; i++) loss = backend.TrainStep(At(i), LearningRate);
        double seconds = clock.Elapsed.TotalSeconds;
        double train = Rate(rows, timedSteps, seconds), msPerStep = seconds * 1000 / timedSteps;

        double trainAsync = double.NaN;
        if (backend is CudaDlrmBackend cuda)
        {
            cuda.Synchronize();
            cuda.ReadMeanLoss(); // restart the running mean
            clock.Restart();
            for (int i = 0; i < timedSteps; i++) cuda.EnqueueTrainStep(At(i), LearningRate);
            loss = cuda.ReadMeanLoss();
            trainAsync = Rate(rows, timedSteps, clock.Elapsed.TotalSeconds);
        }

        double predict = double.NaN, onDevice = double.NaN;
        if (inference)
        {
            long predicted = 0;
            PredictionSink count = (_, probabilities, _) => predicted += probabilities.Length;
            PredictionPipeline.Run(backend, Enumerable.Range(0, WarmupSteps).Select(At), count);
            clock.Restart();
            PredictionPipeline.Run(backend, Enumerable.Range(0, timedSteps).Select(At), count);
            predict = Rate(rows, timedSteps, clock.Elapsed.TotalSeconds);
            if (backend is CudaDlrmBackend gpu)
            {
                CudaStepTimer.MeasureDeviceInference(gpu, At(0), WarmupSteps);
                onDevice = rows / (CudaStepTimer.MeasureDeviceInference(gpu, At(0), timedSteps) / 1000);
            }
        }
        return new ThroughputResult(train, trainAsync, predict, onDevice, msPerStep, loss);
    }

    private static double Rate(int rows, int steps, double seconds) => rows * (double)steps / seconds;
}
