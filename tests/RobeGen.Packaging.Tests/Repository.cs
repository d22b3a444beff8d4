using System.Diagnostics;

namespace RobeGen.Packaging.Tests;

/// <summary>The repository these tests package, and running its tools.</summary>
internal static class Repository
{
    public static string Run(string directory, string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{file} {arguments}' in {directory} did not finish in 8 minutes.\n{stdout}");
        }
        string all = stdout + stderr.Result;
        Assert.True(process.ExitCode == 0, $"'{file} {arguments}' in {directory} exited with {process.ExitCode}:\n{all}");
        return all;
    }

    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RobeGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("RobeGen.sln not found above " + AppContext.BaseDirectory);
    }
}
