using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using RobeGen.Data;

namespace RobeGen.Onnx.Tests;

/// <summary>samples/OnnxServing as a user runs it: a process serving an exported model over HTTP gives the CPU backend's predictions.</summary>
[Trait("Tier", "Slow")]
public sealed class OnnxServingSampleTests
{
    [Fact]
    public async Task TheSampleServesTheExportedModelsPredictions()
    {
        IDlrmDefinition kaggle = RobeGen.Models.CriteoKaggle.Definition;
        using Backends.IDlrmBackend model = Devices.Dlrm.Create(kaggle, new Backends.ModelOptions { Seed = 9, Device = Backends.DeviceKind.Cpu });
        CriteoRows rows = CriteoRows.Sample(64);
        Batch batch = rows.ToBatch(model.Declaration, 0, rows.Count);
        var expected = new float[rows.Count];
        model.Predict(batch, expected);

        var request = new
        {
            rows = Enumerable.Range(0, rows.Count).Select(r => new
            {
                dense = Enumerable.Range(0, 13).Select(i => (float)rows.Dense[r * 13 + i]).ToArray(),
                ids = Enumerable.Range(0, 26).Where(c => rows.Ids[r * 26 + c] != EmbeddingTable.MissingRawToken)
                    .ToDictionary(c => $"C{c + 1}", c => rows.Ids[r * 26 + c]),
            }).ToArray(),
        };
        await Serve(model, expected, request, async http =>
        {
            HttpResponseMessage bad = await http.PostAsJsonAsync("/predict", new { rows = new[] { new { dense = new float[2] } } });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("'dense' needs 13 numbers", await bad.Content.ReadAsStringAsync());
        });
    }

    [Fact]
    public async Task TheSampleServesAMultiHotModelsBags()
    {
        ModelDeclaration declaration = TaggedSumExport.Definition.Declaration;
        using Backends.IDlrmBackend model = Devices.Dlrm.Create(TaggedSumExport.Definition, new Backends.ModelOptions { Seed = 9, Device = Backends.DeviceKind.Cpu });
        BagRows rows = BagRows.Random(declaration, 40, seed: 21);
        var expected = new float[rows.Count];
        model.Predict(rows.ToBatch(), expected);
        // Single-hot ids under "ids", bags under "bags"; an empty bag is left out of half of the rows (left out means empty).
        var request = new
        {
            rows = Enumerable.Range(0, rows.Count).Select(r => new
            {
                dense = rows.DenseOf(r),
                ids = declaration.Tables.Where(t => !t.IsMultiHot).ToDictionary(t => t.Name, t => rows.BagOf(r, t.Index)[0]),
                bags = declaration.Tables.Where(t => t.IsMultiHot && (rows.BagOf(r, t.Index).Length > 0 || r % 2 == 0))
                    .ToDictionary(t => t.Name, t => rows.BagOf(r, t.Index)),
            }).ToArray(),
        };
        await Serve(model, expected, request, async http =>
        {
            HttpResponseMessage bad = await http.PostAsJsonAsync("/predict", new { rows = new[] { new { dense = new float[2], bags = new Dictionary<string, ulong[]> { ["Nope"] = [1] } } } });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("no table 'Nope' in 'bags'", await bad.Content.ReadAsStringAsync());
        });
    }

    /// <summary>Exports <paramref name="model"/>, serves it with the sample, and checks its answer to
    /// <paramref name="request"/> against <paramref name="expected"/>, then runs <paramref name="more"/> on the server.</summary>
    private static async Task Serve(Backends.IDlrmBackend model, float[] expected, object request, Func<HttpClient, Task> more)
    {
        string folder = Directory.CreateTempSubdirectory("robegen-serving-").FullName;
        string onnx = Path.Combine(folder, "model.onnx");
        OnnxExporter.Export(model, null, onnx);
        int port = FreePort();
        using Process server = StartSample(onnx, port);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilServing(http, server);
            HttpResponseMessage response = await http.PostAsJsonAsync("/predict", request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            float[] served = (await response.Content.ReadFromJsonAsync<Served>())!.Probabilities;
            Assert.Equal(expected.Length, served.Length);
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - served[i]) <= 1e-5, $"row {i}: {expected[i]} vs {served[i]}");
            await more(http);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Served(float[] Probabilities);

    private static Process StartSample(string onnx, int port)
    {
        // The sample's build output, beside this test's: samples/OnnxServing/bin/<configuration>/net10.0.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "RobeGen.sln"))) root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        string dll = Path.Combine(root, "samples", "OnnxServing", "bin", configuration, "net10.0", "OnnxServing.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "exec", dll, "--model", onnx, "--urls", $"http://127.0.0.1:{port}" }) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilServing(HttpClient http, Process server)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(server.HasExited, "the sample exited before serving");
            try
            {
                if ((await http.GetAsync("/model")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the sample did not start serving within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
