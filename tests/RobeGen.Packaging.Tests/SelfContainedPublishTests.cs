using System.Diagnostics;

namespace RobeGen.Packaging.Tests;

/// <summary>
/// The recipe the README gives for GPU machines without dotnet: a self-contained single-file publish of the CLI.
/// The binary must run with no dotnet on PATH and no DOTNET_ROOT (as on the GPU machine).
/// </summary>
[Trait("Tier", "Slow")] // a self-contained publish of the CLI
public sealed class SelfContainedPublishTests
{
    [Fact]
    public async Task The_self_contained_robegen_binary_runs_without_dotnet_and_trains()
    {
        string repo = Repository.Root();
        string output = Directory.CreateTempSubdirectory("robegen-publish-").FullName;
        try
        {
            Repository.Run(repo, "dotnet", $"publish src/RobeGen.Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -o \"{output}\"");
            string binary = Path.Combine(output, "RobeGen.Cli");
            Assert.True(File.Exists(binary), "publish made no RobeGen.Cli binary");

            var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = output };
            foreach (string a in new[] { "train", "--max-steps", "3", "--device", "auto" }) info.ArgumentList.Add(a);
            // What the GPU machine has: no dotnet anywhere.
            info.Environment["PATH"] = "/usr/bin:/bin";
            info.Environment.Remove("DOTNET_ROOT");
            info.Environment.Remove("DOTNET_HOST_PATH");
            using var process = Process.Start(info)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = await process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, stdout + await stderr);
            Assert.Contains("eval AUC", stdout);
        }
        finally
        {
            try { Directory.Delete(output, recursive: true); } catch (IOException) { }
        }
    }
}
