using System.Diagnostics;
using System.Globalization;
using RobeGen.Benchmarks.Cpu;
using RobeGen.Benchmarks.TorchSharp;
using TorchSharp;
using static TorchSharp.torch;

// The TorchSharp-cpu side of `RobeGen.Benchmarks cpu`: builds the full-table DLRM of the Criteo Kaggle model and then
// answers one timing request per line on stdin, so the RobeGen process can interleave its own rounds with ours.
//   train B SECONDS     -> "steps wall cpu"      SGD steps at batch B for about SECONDS (wall and process CPU seconds)
//   infer B SECONDS     -> "batches wall cpu"    no-grad forward passes at batch B
//   latency SECONDS     -> "us us us ..."        one single-row prediction per number (microseconds)
//   memory              -> "bytes"               this process's peak resident set so far
//   quit
// Arguments: --seed N --threads N --lr X.
int seed = IntOption("--seed", 1), threads = IntOption("--threads", Environment.ProcessorCount);
float learningRate = float.Parse(Option("--lr") ?? "0.05", CultureInfo.InvariantCulture);

torch.set_num_threads(threads);
torch.manual_seed(seed);
using var model = new TorchDlrm(SyntheticCriteo.DenseFeatures, SyntheticCriteo.EmbeddingDim, SyntheticCriteo.BottomMlp,
    SyntheticCriteo.TopMlp, SyntheticCriteo.Cardinalities);
var optimizer = torch.optim.SGD(model.parameters(), learningRate);
var batches = new Dictionary<int, (Tensor Labels, Tensor Dense, Tensor Ids)[]>();

Console.WriteLine($"ready TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}, {torch.get_num_threads()} threads, " +
    $"{model.parameters().Sum(p => p.numel()):N0} parameters");
string? line;
while ((line = Console.ReadLine()) != null)
{
    string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length == 0) continue;
    switch (words[0])
    {
        case "train": Console.WriteLine(Train(int.Parse(words[1], CultureInfo.InvariantCulture), Seconds(words[2]))); break;
        case "infer": Console.WriteLine(Infer(int.Parse(words[1], CultureInfo.InvariantCulture), Seconds(words[2]))); break;
        case "latency": Console.WriteLine(Latency(Seconds(words[1]))); break;
        case "memory": Console.WriteLine(PeakMemory.PeakResidentBytes().ToString(CultureInfo.InvariantCulture)); break;
        case "quit": return 0;
        default: Console.WriteLine($"error unknown request '{line}'"); break;
    }
}
return 0;

string Train(int batch, double seconds)
{
    model.train();
    var data = BatchesOf(batch);
    int steps = 0;
    TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        using var scope = torch.NewDisposeScope();
        var (labels, dense, ids) = data[steps % data.Length];
        optimizer.zero_grad();
        Tensor loss = nn.functional.binary_cross_entropy_with_logits(model.forward(dense, ids), labels);
        loss.backward();
        optimizer.step();
        steps++;
    }
    return Reply(steps, clock.Elapsed.TotalSeconds, cpu);
}

string Infer(int batch, double seconds)
{
    model.eval();
    var data = BatchesOf(batch);
    int passes = 0;
    using var noGrad = torch.no_grad();
    TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        using var scope = torch.NewDisposeScope();
        var (_, dense, ids) = data[passes % data.Length];
        Tensor probabilities = sigmoid(model.forward(dense, ids));
        probabilities.data<float>()[0].ToString(); // the values are read, as a caller would
        passes++;
    }
    return Reply(passes, clock.Elapsed.TotalSeconds, cpu);
}

string Latency(double seconds)
{
    model.eval();
    var data = BatchesOf(1);
    var times = new List<double>();
    using var noGrad = torch.no_grad();
    var total = Stopwatch.StartNew();
    while (total.Elapsed.TotalSeconds < seconds)
    {
        var (_, dense, ids) = data[times.Count % data.Length];
        using var scope = torch.NewDisposeScope();
        long start = Stopwatch.GetTimestamp();
        float p = sigmoid(model.forward(dense, ids)).item<float>();
        times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        if (float.IsNaN(p)) throw new InvalidOperationException("NaN prediction");
    }
    return string.Join(' ', times.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)));
}

(Tensor, Tensor, Tensor)[] BatchesOf(int rows)
{
    if (batches.TryGetValue(rows, out var cached)) return cached;
    // As many distinct batches as the RobeGen side cycles through (see CpuBenchmark.BatchCount).
    int count = rows == 1 ? 256 : 8;
    var made = new (Tensor, Tensor, Tensor)[count];
    for (int i = 0; i < count; i++)
    {
        var r = SyntheticCriteo.Batch(seed, i, rows);
        made[i] = (tensor(r.Labels), tensor(r.Dense, [rows, SyntheticCriteo.DenseFeatures]), tensor(r.Ids, [rows, SyntheticCriteo.Tables]));
    }
    batches[rows] = made;
    return made;
}

// count, wall seconds, CPU seconds of the whole process (all threads) over the same stretch.
static string Reply(int count, double seconds, TimeSpan cpuBefore) => string.Create(CultureInfo.InvariantCulture,
    $"{count} {seconds:R} {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds:R}");
static double Seconds(string s) => double.Parse(s, CultureInfo.InvariantCulture);
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int IntOption(string name, int fallback) => Option(name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;
