using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ParquetSharp;

namespace RobeGen.Generators.Tests;

/// <summary>
/// The README's library snippet as written: its two C# blocks (the declaration and the program, each with only
/// <c>using RobeGen;</c>) plus the global usings the package's buildTransitive props add, compiled with the generator
/// into a program that runs on a CSV training file and a Parquet test file, and prints the evaluation.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private static readonly object s_currentDirectory = new();

    [Fact]
    public void The_readme_snippet_compiles_and_runs_as_written()
    {
        string[] blocks = ReadmeBlocks();
        Assert.Equal(2, blocks.Length);
        Assert.All(blocks, b => Assert.StartsWith("using RobeGen;\n", b.Replace("\r", "")));
        // What `dotnet new console` brings (ImplicitUsings), then what the package brings.
        string[] sdk = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];
        string globalUsings = string.Concat(sdk.Concat(PackageGlobalUsings()).Select(n => $"global using {n};\n"));

        CSharpCompilation input = CSharpCompilation.Create("Readme",
            new[] { blocks[1], blocks[0], globalUsings }.Select((s, i) => CSharpSyntaxTree.ParseText(s, GeneratorHarness.ParseOptions, path: $"Readme{i}.cs")),
            Net100.References.All.Cast<MetadataReference>().Concat(new[]
            {
                MetadataReference.CreateFromFile(typeof(ModelDeclaration).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
                MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location),
            }),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        string folder = Directory.CreateTempSubdirectory("robegen-readme-").FullName;
        var context = new AssemblyLoadContext("readme", isCollectible: true);
        TextWriter console = Console.Out;
        var printed = new StringWriter();
        try
        {
            WriteCsv(Path.Combine(folder, "clicks-train.csv"), rows: 3000, seed: 1);
            WriteParquet(Path.Combine(folder, "clicks-test.parquet"), rows: 1000, seed: 2);
            image.Position = 0;
            MethodInfo main = context.LoadFromStream(image).EntryPoint!;
            lock (s_currentDirectory)
            {
                string before = Environment.CurrentDirectory;
                Environment.CurrentDirectory = folder;
                Console.SetOut(printed);
                try { main.Invoke(null, main.GetParameters().Length == 0 ? null : new object[] { Array.Empty<string>() }); }
                finally
                {
                    Console.SetOut(console);
                    Environment.CurrentDirectory = before;
                }
            }
        }
        finally
        {
            context.Unload();
            Directory.Delete(folder, recursive: true);
        }
        Match auc = Regex.Match(printed.ToString(), @"AUC (\d\.\d+)");
        Assert.True(auc.Success, printed.ToString());
        Assert.True(double.Parse(auc.Groups[1].Value, CultureInfo.InvariantCulture) > 0.6, printed.ToString());
    }

    /// <summary>The C# blocks of the README's "Declare a model" section, in order.</summary>
    private static string[] ReadmeBlocks()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "README.md")).Replace("\r\n", "\n");
        int start = readme.IndexOf("## Declare a model", StringComparison.Ordinal);
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return CSharpBlock().Matches(readme[start..end]).Select(m => m.Groups[1].Value).ToArray();
    }

    /// <summary>The namespaces src/RobeGen/buildTransitive/RobeGen.props adds as global usings.</summary>
    private static IEnumerable<string> PackageGlobalUsings()
    {
        string props = File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "src", "RobeGen", "buildTransitive", "RobeGen.props"));
        return UsingItem().Matches(props).Select(m => m.Groups[1].Value);
    }

    /// <summary>Clicks that depend on the country and the price (so a model has something to learn).</summary>
    private static IEnumerable<(int Clicked, double Price, int Age, string User, string Item, string Country, string Device)> Rows(int rows, int seed)
    {
        var random = new Random(seed);
        string[] countries = ["fr", "de", "it", "es", "nl", "be", "pt", "pl"];
        for (int r = 0; r < rows; r++)
        {
            int country = random.Next(countries.Length);
            double price = Math.Round(random.NextDouble() * 200, 2);
            double p = 1 / (1 + Math.Exp(-(country - 4) * 0.9 + (price - 100) / 40));
            yield return (random.NextDouble() < p ? 1 : 0, price, 18 + random.Next(60), random.Next(500).ToString(CultureInfo.InvariantCulture),
                "item" + random.Next(100), countries[country], random.Next(2) == 0 ? "phone" : "desktop");
        }
    }

    private static void WriteCsv(string path, int rows, int seed)
    {
        var text = new StringBuilder("clicked,price,age,user_id,item_id,country,device\n");
        foreach (var r in Rows(rows, seed))
            text.Append(CultureInfo.InvariantCulture, $"{r.Clicked},{r.Price},{r.Age},{r.User},{r.Item},{r.Country},{r.Device}\n");
        File.WriteAllText(path, text.ToString());
    }

    private static void WriteParquet(string path, int rows, int seed)
    {
        var data = Rows(rows, seed).ToArray();
        var columns = new Column[]
        {
            new Column<int>("clicked"), new Column<double>("price"), new Column<int>("age"), new Column<string>("user_id"),
            new Column<string>("item_id"), new Column<string>("country"), new Column<string>("device"),
        };
        using var writer = new ParquetFileWriter(path, columns);
        using (RowGroupWriter group = writer.AppendRowGroup())
        {
            using (var c = group.NextColumn().LogicalWriter<int>()) c.WriteBatch(data.Select(r => r.Clicked).ToArray());
            using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch(data.Select(r => r.Price).ToArray());
            using (var c = group.NextColumn().LogicalWriter<int>()) c.WriteBatch(data.Select(r => r.Age).ToArray());
            foreach (Func<(int, double, int, string User, string Item, string Country, string Device), string> text in
                new Func<(int, double, int, string User, string Item, string Country, string Device), string>[] { r => r.User, r => r.Item, r => r.Country, r => r.Device })
                using (var c = group.NextColumn().LogicalWriter<string>()) c.WriteBatch(data.Select(r => text(r)).ToArray());
        }
        writer.Close();
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"<Using Include=""([\w.]+)""")]
    private static partial Regex UsingItem();
}
