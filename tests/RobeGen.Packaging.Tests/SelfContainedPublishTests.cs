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

            // The binary alone, as it is carried to the GPU machine: Parquet (a native library) still works.
            string alone = Directory.CreateTempSubdirectory("robegen-alone-").FullName;
            try
            {
                File.Copy(binary, Path.Combine(alone, "RobeGen.Cli"));
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(alone, "RobeGen.Cli"), File.GetUnixFileMode(binary));
                var convert = new ProcessStartInfo(Path.Combine(alone, "RobeGen.Cli")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = alone };
                foreach (string a in new[] { "convert", "--data", Path.Combine(repo, "samples", "data", "criteo_1tb_day0_head10k.tsv.gz"), "--out", "sample.parquet" })
                    convert.ArgumentList.Add(a);
                convert.Environment["PATH"] = "/usr/bin:/bin";
                convert.Environment.Remove("DOTNET_ROOT");
                using var converting = Process.Start(convert)!;
                Task<string> convertErrors = converting.StandardError.ReadToEndAsync();
                string convertOutput = await converting.StandardOutput.ReadToEndAsync();
                using var convertTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                await converting.WaitForExitAsync(convertTimeout.Token);
                Assert.True(converting.ExitCode == 0, convertOutput + await convertErrors);
                Assert.True(new FileInfo(Path.Combine(alone, "sample.parquet")).Length > 0, "convert wrote no Parquet file");
            }
            finally
            {
                try { Directory.Delete(alone, recursive: true); } catch (IOException) { }
            }
        }
        finally
        {
            try { Directory.Delete(output, recursive: true); } catch (IOException) { }
        }
    }
}
