using System.CommandLine;
using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Lab.Equivalence;

namespace RobeGen.Cli.Commands.Check;

/// <summary>
/// <c>robegen check --device cuda</c>: the CUDA backend on a real GPU against the CPU backend and a double-precision
/// reference (cuBLAS mapping, every layer forward and backward, 100 training steps, determinism), then throughput.
/// Exit code 0 when every check passed, 1 when one failed, 2 when there is no GPU.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var device = new Option<DeviceKind>("--device")
        {
            Description = "cuda (the GPU), or cpu to run the same checks on ILGPU's CPU accelerator with tiny sizes.",
            DefaultValueFactory = _ => DeviceKind.Cuda,
        };
        var data = new Option<string?>("--data") { Description = "A labeled Criteo file for the 100-step training check (default: the built-in sample)." };
        var steps = new Option<int>("--steps") { Description = "Training steps compared with the CPU backend.", DefaultValueFactory = _ => 100 };
        var batches = new Option<int[]>("--batches")
        {
            Description = "Batch sizes of the throughput table.",
            DefaultValueFactory = _ => [2048, 16384],
            AllowMultipleArgumentsPerToken = true,
        };
        var timedSteps = new Option<int>("--timed-steps") { Description = "Timed steps per throughput figure (after warm-up).", DefaultValueFactory = _ => 50 };
        var skipEquivalence = new Option<bool>("--skip-equivalence") { Description = "Only measure throughput." };
        var skipThroughput = new Option<bool>("--skip-throughput") { Description = "Only run the equivalence checks." };
        var precision = CommonOptions.Precision("Also check this precision's arithmetic (bf16: against the bf16 emulation; tf32: against FP32) and measure its throughput.");
        var command = new Command("check", "Check the CUDA backend against the CPU backend on this machine's GPU and measure its throughput.")
        {
            device, data, steps, batches, timedSteps, skipEquivalence, skipThroughput, precision,
        };
        command.SetAction(parse =>
        {
            bool simulate = parse.GetValue(device) == DeviceKind.Cpu;
            var options = new CheckOptions
            {
                Simulate = simulate,
                // The built-in sample has 2.65% clicks: too few in the simulator's tiny evaluation set, so it uses synthetic batches.
                DataFile = parse.GetValue(data) ?? (simulate ? null : EmbeddedSample.Extract()),
                TrainingSteps = simulate ? Math.Min(10, parse.GetValue(steps)) : parse.GetValue(steps),
                BatchSizes = simulate ? [64] : parse.GetValue(batches)!,
                TimedSteps = simulate ? 3 : parse.GetValue(timedSteps),
                SkipEquivalence = parse.GetValue(skipEquivalence),
                SkipThroughput = parse.GetValue(skipThroughput),
                Precision = parse.GetValue(precision),
            };
            return Run(options);
        });
        return command;
    }

    private static int Run(CheckOptions options)
    {
        Console.WriteLine($"robegen check ({DateTime.UtcNow:u})");
        var (ok, reason, _) = CudaAvailability.Probe();
        Console.WriteLine($"CUDA probe: {(ok ? "available" : "unavailable")}: {reason}");
        if (!ok && !options.Simulate)
        {
            Console.WriteLine("No GPU here; 'robegen check --device cpu' runs the same checks on ILGPU's CPU accelerator.");
            return 2;
        }

        using GpuDevice device = options.Simulate ? GpuDevice.CreateCpuSimulator() : GpuDevice.CreateCuda();
        Console.WriteLine($"Device: {device.Name}; GEMM: {device.Gemm.Name}; free memory: {(device.FreeMemory is long free ? $"{free / (1L << 30)} GiB" : "n/a")}");
        bool passed = true;
        if (!options.SkipEquivalence)
        {
            var reports = new List<EquivalenceReport> { CublasCheck.Run(device) };
            Console.WriteLine(reports[0]);
            foreach (EquivalenceReport report in ModelChecks.Run(device, options))
            {
                Console.WriteLine(report);
                reports.Add(report);
            }
            passed = reports.TrueForAll(r => r.Passed);
            Console.WriteLine($"Equivalence: {reports.Count(r => r.Passed)} of {reports.Count} reports passed on {device.Name}.");
        }
        if (!options.SkipThroughput) Throughput.Run(device, options);
        return passed ? 0 : 1;
    }
}
