using System.Diagnostics;
using System.Globalization;
using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Models;

using RobeGen.Lab.Benchmarking;

namespace RobeGen.Cli.Commands.Check;

/// <summary>
/// The check command's throughput table: the reference models on synthetic batches, timed by <see cref="ThroughputMeter"/>
/// (also used by <c>robegen bench</c>), with a per-phase profile.
/// </summary>
internal static class Throughput
{
    public static void Run(GpuDevice device, CheckOptions options)
    {
        Console.WriteLine($"Throughput on {device.Name} ({options.TimedSteps} timed steps after {ThroughputMeter.WarmupSteps} warm-up; samples/s)");
        Console.WriteLine($"  {"model",-15} {"batch",6} {"mode",-34} {"train",12} {"train (async)",14} {"inference",12} {"ms/step",8}");
        var models = new List<(string, IDlrmDefinition)> { ("CriteoKaggle", CriteoKaggle.Definition) };
        if (!options.Simulate) models.Add(("CriteoTerabyte", CriteoTerabyte.Definition)); // 27 M slots: too much for the simulator
        foreach (var (name, definition) in models)
            foreach (int batchSize in options.BatchSizes)
            {
                Measure(device, options, name, definition, batchSize, "FP32, atomic gradients", new ModelOptions { MaxBatchSize = batchSize }, profile: true);
                if (batchSize == options.BatchSizes[^1])
                {
                    Measure(device, options, name, definition, batchSize, "FP32, deterministic gradients",
                        new ModelOptions { MaxBatchSize = batchSize, DeterministicGradients = true }, inference: false);
                    Measure(device, options, name, definition, batchSize, "TF32, atomic gradients", new ModelOptions { MaxBatchSize = batchSize, Precision = Precision.Tf32 });
                    Measure(device, options, name, definition, batchSize, "BF16, atomic gradients", new ModelOptions { MaxBatchSize = batchSize, Precision = Precision.Bf16 },
                        profile: options.Precision == Precision.Bf16);
                }
            }
    }

    private static void Measure(GpuDevice sharedDevice, CheckOptions options, string name, IDlrmDefinition definition, int batchSize,
        string mode, ModelOptions modelOptions, bool inference = true, bool profile = false)
    {
        var device = sharedDevice;
        using var backend = ModelChecks.CreateCuda(device, definition, modelOptions with { Device = DeviceKind.Cuda });
        var batches = Enumerable.Range(0, 4).Select(i => SyntheticBatches.Create(definition.Declaration, batchSize, 40 + i)).ToArray();
        float lr = 0.01f;
        var r = ThroughputMeter.Measure(backend, batches, options.TimedSteps, inference);
        string inferenceRate = double.IsNaN(r.Inference) ? "-" : r.Inference.ToString("N0", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-15} {batchSize,6} {mode,-34} {r.Train,12:N0} {r.TrainAsync,14:N0} {inferenceRate,12} {r.MsPerStep,8:0.00}   " +
            $"(loss {r.Loss:0.0000}, {backend.DeviceBytes / (1 << 20)} MiB, {backend.GemmName}, {device.Name})"));
        if (profile)
        {
            var phases = StepProfiler.ProfileTrainStep(backend, batches[0], lr, Math.Max(1, options.TimedSteps / 5));
            Console.WriteLine("      phases (each followed by a sync): " + string.Join(", ",
                phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Phase} {p.Milliseconds:0.000}"))) + " ms");
        }
    }

}
