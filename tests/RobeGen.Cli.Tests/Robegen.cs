using System.Diagnostics;

namespace RobeGen.Cli.Tests;

/// <summary>Runs the robegen program in a child process and captures what it prints.</summary>
internal static class Robegen
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + Stderr;
        public string LastLine => Stdout.TrimEnd().Split('\n')[^1].TrimEnd('\r');
    }

    /// <summary>How to start robegen with <paramref name="arguments"/>, its output redirected.</summary>
    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RobeGen.Cli.dll"));
        foreach (string a in arguments) info.ArgumentList.Add(a);
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    public static Result Run(params string[] arguments)
    {
        using var process = Process.Start(StartInfo(arguments))!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"robegen {string.Join(' ', arguments)} did not finish in 5 minutes.\n{stdout}");
        }
        return new Result(process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>The shared real-data folder, or null where it is absent.</summary>
    public static string? SharedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RobeGen.sln"))) return Path.Combine(dir.FullName, relative);
        throw new InvalidOperationException("RobeGen.sln not found");
    }
}

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class Scratch : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("robegen-cli-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
