using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using RobeGen.Backends;
using RobeGen.Benchmarks.Cpu;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Models;
using RobeGen.Onnx;
using RobeGen.Training;

namespace RobeGen.Benchmarks.Onnx;

/// <summary>
/// ONNX Runtime (CPU execution provider, all graph optimizations, one intra-op thread per core) on the exported model
/// against RobeGen's own CPU predictor on the same model and the same rows, in one process and interleaved rounds:
/// rows/s (wall clock) per batch size, the ratio, and the largest difference between the two sides' probabilities.
/// Both sides get ready-made inputs (RobeGen a Batch, ONNX Runtime tensors over the same rows), so neither pays
/// for parsing.
/// </summary>
internal static class OnnxBenchmark
{
    public static int Run(string[] args)
    {
        string modelName = Option(args, "--model") ?? "criteo-kaggle";
        int[] sizes = (Option(args, "--batches") ?? "1,64,2048").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int rounds = int.Parse(Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        double seconds = double.Parse(Option(args, "--seconds") ?? "1", CultureInfo.InvariantCulture);

        IDlrmDefinition definition = ModelCatalog.Get(modelName);
        ModelDeclaration declaration = definition.Declaration;
        // A vocabulary-token model (MLPerf) maps ids through a vocabulary: RobeGen before the batch reaches it, ONNX
        // Runtime inside the graph. Here it is built over the largest batch's ids.
        Vocabulary? vocabulary = declaration.Tokens == TokenKind.Vocabulary ? VocabularyOver(declaration, sizes.Max()) : null;
        var modelOptions = new ModelOptions { Seed = 1, Device = DeviceKind.Cpu, MaxBatchSize = sizes.Max() };
        if (vocabulary is not null) modelOptions = modelOptions with { Embedding = ModelSetup.WithVocabularyRows(declaration, EmbeddingOverrides.None, vocabulary) };
        using IDlrmBackend model = Dlrm.Create(definition, modelOptions);
        VocabularyMapper? mapper = VocabularyMapper.For(vocabulary, model.Layout);
        byte[] onnx = OnnxExporter.ToBytes(model, vocabulary);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = Environment.ProcessorCount };
        using var session = new InferenceSession(onnx, options);

        Console.WriteLine($"model {definition.Declaration.Name}: ONNX file {onnx.Length / 1048576.0:F1} MiB; {model.DeviceName}; ONNX Runtime {OrtEnv.Instance().GetVersionString()} CPU, {Environment.ProcessorCount} threads");
        Console.WriteLine("| rows per call | RobeGen CPU rows/s | ONNX Runtime CPU rows/s | ORT / RobeGen | RobeGen p50 us | ORT p50 us | max abs diff |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int rows in sizes)
        {
            var inputs = new Inputs(declaration, rows, mapper);
            var probabilities = new float[rows];
            model.Predict(inputs.Batch, probabilities);
            float[] ort = inputs.RunOrt(session);
            double diff = probabilities.Zip(ort, (a, b) => (double)Math.Abs(a - b)).Max();

            var robe = new List<(double Rate, double P50)>();
            var runtime = new List<(double Rate, double P50)>();
            for (int round = 0; round < rounds; round++)
            {
                robe.Add(Time(rows, seconds, () => model.Predict(inputs.Batch, probabilities)));
                runtime.Add(Time(rows, seconds, () => inputs.RunOrt(session)));
            }
            double robeRate = Median(robe.Select(r => r.Rate)), ortRate = Median(runtime.Select(r => r.Rate));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {rows:N0} | {robeRate:N0} | {ortRate:N0} | {ortRate / robeRate:F2}x | {Median(robe.Select(r => r.P50)):F0} | {Median(runtime.Select(r => r.P50)):F0} | {diff:E1} |"));
        }
        return 0;
    }

    private static Vocabulary VocabularyOver(ModelDeclaration declaration, int rows)
    {
        SyntheticCriteo.Rows synthetic = SyntheticCriteo.Batch(seed: 3, index: 0, rows);
        Batch batch = CriteoSchema.CreateBatch(rows);
        batch.Count = rows;
        for (int i = 0; i < synthetic.Ids.Length; i++) batch.Tokens[i] = (ulong)synthetic.Ids[i];
        var builder = new VocabularyBuilder([.. declaration.Tables.Select(t => t.Column)]);
        builder.Add(batch);
        return builder.Build();
    }

    /// <summary>Calls <paramref name="predict"/> for <paramref name="seconds"/>: rows/s over the wall clock and the median call in microseconds.</summary>
    private static (double Rate, double P50) Time(int rows, double seconds, Action predict)
    {
        var calls = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            predict();
            calls.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        return (calls.Count * (double)rows / total.Elapsed.TotalSeconds, Median(calls));
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The same synthetic rows for both sides: raw dense integers for ONNX Runtime, their log(1 + x) for RobeGen.</summary>
    private sealed class Inputs
    {
        private readonly string[] _names;
        private readonly OrtValue[] _values;

        public Inputs(ModelDeclaration declaration, int rows, VocabularyMapper? mapper)
        {
            SyntheticCriteo.Rows synthetic = SyntheticCriteo.Batch(seed: 3, index: 0, rows);
            Batch = new Batch(rows, declaration.DenseFeatures, declaration.TableCount) { Count = rows };
            var raw = new float[rows * declaration.DenseFeatures];
            for (int i = 0; i < raw.Length; i++)
            {
                raw[i] = MathF.Round(MathF.Exp(synthetic.Dense[i % synthetic.Dense.Length]) - 1);
                Batch.Dense[i] = raw[i] > 0 ? (float)Math.Log(1.0 + raw[i]) : 0f;
            }
            var names = new List<string> { OnnxExporter.DenseInput };
            var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(raw, [rows, declaration.DenseFeatures]) };
            for (int t = 0; t < declaration.TableCount; t++)
            {
                var ids = new long[rows];
                for (int r = 0; r < rows; r++)
                {
                    ids[r] = synthetic.Ids[r * SyntheticCriteo.Tables + t % SyntheticCriteo.Tables];
                    Batch.Tokens[r * declaration.TableCount + t] = (ulong)ids[r];
                }
                names.Add(declaration.Tables[t].Name);
                values.Add(OrtValue.CreateTensorValueFromMemory(ids, [rows]));
            }
            mapper?.Map(Batch);
            _names = [.. names];
            _values = [.. values];
        }

        public Batch Batch { get; }

        public float[] RunOrt(InferenceSession session)
        {
            using var run = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(run, _names, _values, [OnnxExporter.ProbabilityOutput]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
    }
}
