using RobeGen.Cuda;
using RobeGen.DeviceCheck;

// The CUDA backend on a real GPU: cuBLAS mapping, layer-by-layer and training equivalence, determinism, throughput.
// Exit code 0 when every check passed, 1 when one failed, 2 when there is no GPU (and --simulate was not given).
var options = CheckOptions.Parse(args);
Console.WriteLine($"RobeGen device check ({DateTime.UtcNow:u})");
var (ok, reason, _) = CudaAvailability.Probe();
Console.WriteLine($"CUDA probe: {(ok ? "available" : "unavailable")}: {reason}");
if (!ok && !options.Simulate)
{
    Console.WriteLine("No GPU here; rerun with --simulate to exercise the program on ILGPU's CPU accelerator.");
    return 2;
}

using var device = options.Simulate ? GpuDevice.CreateCpuSimulator() : GpuDevice.CreateCuda();
Console.WriteLine($"Device: {device.Name}; GEMM: {device.Gemm.Name}; free memory: {(device.FreeMemory is long free ? $"{free / (1L << 30)} GiB" : "n/a")}");
bool passed = true;
if (!options.SkipEquivalence)
{
    var reports = new List<RobeGen.Cuda.Equivalence.EquivalenceReport> { CublasCheck.Run(device) };
    Console.WriteLine(reports[0]);
    foreach (var report in ModelChecks.Run(device, options))
    {
        Console.WriteLine(report);
        reports.Add(report);
    }
    passed = reports.TrueForAll(r => r.Passed);
    Console.WriteLine($"Equivalence: {reports.Count(r => r.Passed)} of {reports.Count} reports passed on {device.Name}.");
}
if (!options.SkipThroughput) Throughput.Run(device, options);
return passed ? 0 : 1;
