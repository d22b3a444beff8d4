using System.Diagnostics;

namespace RobeGen.Packaging.Tests;

/// <summary>
/// Packs RobeGen like a release and builds a fresh user project against it from a local folder feed: the
/// attributes, the runtime and the generator (analyzers/dotnet/cs) must all arrive through one PackageReference.
/// </summary>
[Trait("Tier", "Slow")] // packs RobeGen and builds a project from the package
public sealed class PackageConsumptionTests
{
    [Fact]
    public void A_fresh_project_that_references_only_the_package_declares_and_trains_a_model()
    {
        string repo = Repository.Root();
        string work = Directory.CreateTempSubdirectory("robegen-pack-").FullName;
        // A unique version keeps NuGet's global cache from serving an older build of the same version.
        string version = $"0.0.0-test{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";
        try
        {
            string feed = Path.Combine(work, "feed");
            Repository.Run(repo, "dotnet", $"pack src/RobeGen -c Release -o \"{feed}\" -p:Version={version}");
            Assert.True(File.Exists(Path.Combine(feed, $"RobeGen.{version}.nupkg")), "dotnet pack made no package");

            string app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            string templates = Path.Combine(AppContext.BaseDirectory, "Consumer");
            File.WriteAllText(Path.Combine(app, "Consumer.csproj"),
                File.ReadAllText(Path.Combine(templates, "Consumer.csproj.template")).Replace("$VERSION$", version));
            File.Copy(Path.Combine(templates, "Program.cs.template"), Path.Combine(app, "Program.cs"));
            // The local feed first; nuget.org (or this machine's cache) for RobeGen's own dependencies.
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project />");

            string output = Repository.Run(app, "dotnet", "run -c Release");
            Assert.Contains("fingerprint=", output);
        }
        finally
        {
            TryDelete(work);
            TryDelete(Path.Combine(NuGetCache(), "robegen", version));
        }
    }

    private static string NuGetCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static void TryDelete(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
