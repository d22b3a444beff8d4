using System.Diagnostics;
using System.Globalization;

namespace RobeGen.Benchmarks.Cpu;

/// <summary>
/// The TorchSharp-cpu baseline (tests/RobeGen.Benchmarks.TorchSharp) as a child process that takes one timing request
/// per line, so libtorch never loads into this process and the two sides' rounds can alternate.
/// </summary>
internal sealed class TorchSharpProcess : IDisposable
{
    private const string ProjectFolder = "tests/RobeGen.Benchmarks.TorchSharp";
    private const string AssemblyName = "RobeGen.Benchmarks.TorchSharp.dll";
    private readonly Process _process;

    private TorchSharpProcess(Process process, string banner)
    {
        _process = process;
        Banner = banner;
    }

    /// <summary>Its first line: TorchSharp and libtorch versions, threads, parameter count.</summary>
    public string Banner { get; }

    /// <summary>Starts the baseline (building it first, in Release, when its assembly is missing).</summary>
    public static TorchSharpProcess Start(string? assembly, int seed, int threads, float learningRate)
    {
        assembly ??= LocateOrBuild();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assembly);
        foreach (string a in new[] { "--seed", seed.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture),
                     "--lr", learningRate.ToString("R", CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the TorchSharp baseline.");
        string banner = process.StandardOutput.ReadLine() ?? "";
        if (!banner.StartsWith("ready", StringComparison.Ordinal))
            throw new InvalidOperationException($"The TorchSharp baseline did not start (first line: '{banner}'); see its error output above.");
        return new TorchSharpProcess(process, banner["ready ".Length..]);
    }

    public Round Train(int rows, double seconds) => Round.Parse(Ask($"train {rows} {Format(seconds)}"), rows);
    public Round Infer(int rows, double seconds) => Round.Parse(Ask($"infer {rows} {Format(seconds)}"), rows);

    public List<double> Latency(double seconds) =>
        Ask($"latency {Format(seconds)}").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();

    public long PeakResidentBytes() => long.Parse(Ask("memory"), CultureInfo.InvariantCulture);

    private string Ask(string request)
    {
        _process.StandardInput.WriteLine(request);
        _process.StandardInput.Flush();
        string reply = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"The TorchSharp baseline exited during '{request}'.");
        if (reply.StartsWith("error", StringComparison.Ordinal)) throw new InvalidOperationException(reply);
        return reply;
    }

    private static string Format(double seconds) => seconds.ToString("R", CultureInfo.InvariantCulture);

    private static string LocateOrBuild()
    {
        string root = RepositoryRoot() ?? throw new InvalidOperationException(
            $"Cannot find the repository (a folder with {ProjectFolder}) above {AppContext.BaseDirectory}; pass --torch PATH to {AssemblyName}.");
        string assembly = Path.Combine(root, ProjectFolder, "bin", "Release", "net10.0", AssemblyName);
        if (File.Exists(assembly)) return assembly;
        Console.WriteLine($"Building the TorchSharp baseline ({ProjectFolder}, Release) ...");
        using Process build = Process.Start("dotnet", ["build", "-c", "Release", "--nologo", "-v", "q", Path.Combine(root, ProjectFolder)])!;
        build.WaitForExit();
        if (build.ExitCode != 0 || !File.Exists(assembly)) throw new InvalidOperationException($"Building {ProjectFolder} failed.");
        return assembly;
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, ProjectFolder))) return dir.FullName;
        return null;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(10_000)) _process.Kill();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
