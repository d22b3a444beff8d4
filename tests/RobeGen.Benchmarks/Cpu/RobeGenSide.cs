using System.Diagnostics;
using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Models;

namespace RobeGen.Benchmarks.Cpu;

/// <summary>
/// The RobeGen side of the CPU benchmark: the stock CriteoKaggle model (ROBE 1000x, m = 540,000, Z = 4) on the CPU
/// backend, timed on the same synthetic rows and in the same way as the TorchSharp side (see SyntheticCriteo).
/// </summary>
internal sealed class RobeGenSide : IDisposable
{
    private readonly IDlrmBackend _model;
    private readonly int _seed;
    private readonly float _learningRate;
    private readonly Dictionary<int, Batch[]> _batches = [];
    private readonly float[] _probabilities;

    public RobeGenSide(ModelOptions options, int seed, float learningRate)
    {
        _model = Dlrm.Create(CriteoKaggle.Definition, options);
        _seed = seed;
        _learningRate = learningRate;
        _probabilities = new float[options.MaxBatchSize];
    }

    public string DeviceName => _model.DeviceName;
    public IDlrmBackend Model => _model;

    public Round Train(int rows, double seconds)
    {
        Batch[] data = BatchesOf(rows);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        int steps = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            _model.TrainStep(data[steps % data.Length], _learningRate);
            steps++;
        }
        return new Round(steps, rows, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    public Round Infer(int rows, double seconds)
    {
        Batch[] data = BatchesOf(rows);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        int passes = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            _model.Predict(data[passes % data.Length], _probabilities);
            passes++;
        }
        return new Round(passes, rows, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    /// <summary>Microseconds of each single-row prediction made in about <paramref name="seconds"/>.</summary>
    public List<double> Latency(double seconds)
    {
        Batch[] data = BatchesOf(1);
        var times = new List<double>(1 << 16);
        Span<float> probability = stackalloc float[1];
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            Batch row = data[times.Count % data.Length];
            long start = Stopwatch.GetTimestamp();
            _model.Predict(row, probability);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        return times;
    }

    /// <summary>The same batches the TorchSharp side builds (8 distinct ones, 256 single rows).</summary>
    private Batch[] BatchesOf(int rows)
    {
        if (_batches.TryGetValue(rows, out Batch[]? cached)) return cached;
        int count = rows == 1 ? 256 : 8;
        var made = new Batch[count];
        for (int i = 0; i < count; i++) made[i] = ToBatch(SyntheticCriteo.Batch(_seed, i, rows));
        _batches[rows] = made;
        return made;
    }

    public static Batch ToBatch(SyntheticCriteo.Rows rows)
    {
        var batch = new Batch(rows.Count, SyntheticCriteo.DenseFeatures, SyntheticCriteo.Tables) { Count = rows.Count };
        rows.Labels.CopyTo(batch.Labels, 0);
        rows.Dense.CopyTo(batch.Dense, 0);
        for (int i = 0; i < rows.Ids.Length; i++) batch.Tokens[i] = (ulong)rows.Ids[i];
        return batch;
    }

    public void Dispose() => _model.Dispose();
}
