using System.Diagnostics;
using System.Globalization;
using RobeGen.Backends;

namespace RobeGen.Benchmarks.Cpu;

/// <summary>
/// `cpu-memory`: the peak resident set of a process that does nothing but build the ROBE 1000x Criteo Kaggle model and
/// train it, so the figure is the model's own (runtime, JIT, parameters, buffers, batches), not the benchmark's.
/// </summary>
internal static class RobeMemoryProbe
{
    public static int Run(string[] args)
    {
        int batch = CpuBenchmark.IntOption(args, "--batch", 128);
        int threads = CpuBenchmark.IntOption(args, "--threads", Environment.ProcessorCount);
        int seed = CpuBenchmark.IntOption(args, "--seed", 1);
        int steps = CpuBenchmark.IntOption(args, "--steps", 200);
        var options = new ModelOptions { MaxBatchSize = batch, Threads = threads, Optimizer = OptimizerKind.Sgd, Seed = seed };
        using var side = new RobeGenSide(options, seed, 0.05f);
        var data = Enumerable.Range(0, 8).Select(i => RobeGenSide.ToBatch(SyntheticCriteo.Batch(seed, i, batch))).ToArray();
        for (int s = 0; s < steps; s++) side.Model.TrainStep(data[s % data.Length], 0.05f);
        Console.WriteLine(PeakMemory.PeakResidentBytes().ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>Runs <see cref="Run"/> in a fresh process of this benchmark and returns its peak bytes.</summary>
    public static long MeasureInChild(int batch, int threads, int seed)
    {
        string self = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet RobeGen.Benchmarks.dll` the process is the host: name the assembly too.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(RobeMemoryProbe).Assembly.Location);
        foreach (string a in new[] { "cpu-memory", "--batch", Str(batch), "--threads", Str(threads), "--seed", Str(seed) }) info.ArgumentList.Add(a);
        using Process child = Process.Start(info) ?? throw new InvalidOperationException("Could not start the memory probe.");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return child.ExitCode == 0 ? long.Parse(output.Trim(), CultureInfo.InvariantCulture) : -1;
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
