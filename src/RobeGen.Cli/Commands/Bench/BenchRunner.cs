using System.Globalization;
using RobeGen.Backends;
using RobeGen.Cli.Files;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Lab.Benchmarking;
using RobeGen.Models;
using RobeGen.Synthetic;

namespace RobeGen.Cli.Commands.Bench;

/// <summary>Runs the bench: one backend per (model, storage), sized for the largest batch, measured at every batch size.</summary>
internal static class BenchRunner
{
    private const int BatchesPerSize = 3;
    /// <summary>Left free on the GPU for activations (batch 65,536 of the MLPerf model) and cuBLAS workspace.</summary>
    private const long DeviceHeadroomBytes = 16L << 30;

    public static int Run(BenchOptions options)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        bool cuda = options.Device != DeviceKind.Cpu;
        if (cuda && options.Precision == Precision.Int8)
            throw new CliException("--precision int8 runs on the CPU only (--device cpu).", 2);
        if (!cuda && options.Precision is Precision.Tf32 or Precision.Bf16)
            throw new CliException($"--precision {options.Precision.ToString().ToLowerInvariant()} runs on CUDA only (--device cuda).", 2);
        if (options.Serving && options.Synthetic is not null)
            throw new CliException("--synthetic times training and inference steps on synthetic rows; --serving measures a served checkpoint instead: give one of them.", 2);
        if (options.Serving)
        {
            foreach (string modelName in options.Models)
                ServingBench.Run(Definition(modelName), new ModelOptions { Device = options.Device, MaxBatchSize = options.BatchSizes.Max(), Precision = options.Precision }, 8);
            return 0;
        }
        using GpuDevice? device = cuda ? GpuDevice.CreateCuda(reproducibleGemm: options.Deterministic) : null; // as train --deterministic
        string deviceName = device?.Name ?? $"CPU ({Environment.ProcessorCount} cores)";
        string precision = options.Precision == Precision.Int8 ? "FP32 training / INT8 inference" : options.Precision.ToString().ToUpperInvariant();
        Console.WriteLine($"robegen bench ({DateTime.UtcNow:u}) on {deviceName}; MLP GEMM: {device?.Gemm.Name ?? "CPU"}; {precision}; " +
            (options.Deterministic ? "deterministic embedding gradients; " : "") +
            $"{options.TimedSteps} timed steps after {ThroughputMeter.WarmupSteps} warm-up; " +
            (options.Synthetic is { } spec
                ? string.Create(CultureInfo.InvariantCulture, $"the first {BatchesPerSize} batches of synthetic rows 0.. (seed {spec.Seed}, Zipf {spec.ZipfExponent}{spec.TeacherNote})")
                : "synthetic batches, tokens uniform over each table"));
        // One generator for every model: the structured teacher's set-up is made once.
        SyntheticGenerator? generator = options.Synthetic is { } s ? new SyntheticGenerator(s) : null;
        var table = new BenchTable(deviceName, precision);
        table.PrintHeader();
        var floors = new Dictionary<long, double>();

        foreach (string modelName in options.Models)
        {
            IDlrmDefinition definition = Definition(modelName);
            ModelDeclaration declaration = definition.Declaration;
            if (declaration.HasMultiHotTables)
                Console.WriteLine($"  note: {declaration.Name.Split('.')[^1]} is multi-hot: every cell a bag of its table's hotness " +
                    $"({string.Join(",", declaration.Tables.Select(t => t.Hotness))}), {declaration.IdsPerSample} ids per sample; " +
                    "rows/s are samples/s, the floor copies one embedding row per id");
            foreach (BenchStorage storage in Storages(definition.Declaration, options, device))
            {
                if (storage.RowCap is long cap)
                    Console.WriteLine($"  note: {definition.Declaration.Name} full tables ({definition.Declaration.FullTableParameterCount * 4 / 1e9:0.0} GB) do not fit " +
                        $"{(device is null ? "one host array" : $"{deviceName}'s free memory less {DeviceHeadroomBytes >> 30} GiB of headroom")}: every table capped at {cap:N0} rows.");
                var modelOptions = new ModelOptions
                {
                    Device = options.Device,
                    MaxBatchSize = options.BatchSizes.Max(),
                    Embedding = storage.Overrides,
                    Precision = options.Precision,
                    DeterministicGradients = options.Deterministic,
                };
                // Checked before the backend is built: a Full storage that cannot take the rows is skipped without allocating it.
                SyntheticTrainingData? rows = generator is null ? null
                    : SyntheticRows(generator, EmbeddingLayout.FromDeclaration(declaration, storage.Overrides), storage, (long)options.BatchSizes.Max() * BatchesPerSize);
                if (generator is not null && rows is null) continue;
                using IDlrmBackend backend = Build(definition, modelOptions, device);
                foreach (int batchSize in options.BatchSizes)
                {
                    Batch[] batches = rows is not null
                        ? SyntheticBatches.First(rows, batchSize, BatchesPerSize)
                        : Enumerable.Range(0, BatchesPerSize).Select(i => SyntheticBatches.CreateUniform(definition.Declaration, batchSize, 40 + i, storage.Vocabulary)).ToArray();
                    ThroughputResult throughput = ThroughputMeter.Measure(backend, batches, options.TimedSteps);
                    EmbeddingLayerTimes? embedding = null;
                    double floor = double.NaN;
                    if (backend is CudaDlrmBackend gpu)
                    {
                        embedding = CudaStepTimer.MeasureEmbeddingLayer(gpu, batches[0], 0.01f, Math.Max(10, options.TimedSteps));
                        // The floor reads one row per id, as the gather does: a multi-hot cell of h ids reads h rows.
                        long floats = (long)batchSize * definition.Declaration.IdsPerSample * definition.Declaration.EmbeddingDim;
                        if (!floors.TryGetValue(floats, out floor)) floors[floats] = floor = MemoryFloor.CopyMilliseconds(device!, floats, 20);
                    }
                    table.Add(new BenchRow(definition.Declaration.Name.Split(".")[^1], storage.Name, batchSize, throughput, embedding, floor,
                        backend is CudaDlrmBackend g ? g.DeviceBytes : 0, declaration.IdsPerSample));
                    // Rewritten after every row: a later storage that fails (out of GPU memory) keeps the rows measured
                    // so far for the baseline's --robegen-csv, which a device call cannot afford to measure again.
                    if (options.Csv is { } csv) table.WriteCsv(csv);
                }
            }
        }
        return 0;
    }

    /// <summary>The bench's short names, or any built-in model's catalog name (criteo-terabyte-dcnv2-multihot...).</summary>
    internal static IDlrmDefinition Definition(string modelName) => modelName.ToLowerInvariant() switch
    {
        "kaggle" => CriteoKaggle.Definition,
        "mlperf" => CriteoTerabyte.Definition,
        "mlperf-dcnv2" => CriteoTerabyteDcnV2.Definition,
        "mlperf-dcnv2-multihot" => CriteoTerabyteDcnV2MultiHot.Definition,
        _ when ModelCatalog.Builtin.TryGetValue(modelName, out IDlrmDefinition? builtin) => builtin,
        _ => throw new ArgumentException($"Unknown model '{modelName}' (kaggle, mlperf, mlperf-dcnv2, mlperf-dcnv2-multihot, " +
            $"or a built-in model: {string.Join(", ", ModelCatalog.Builtin.Keys)})."),
    };

    private static IEnumerable<BenchStorage> Storages(ModelDeclaration declaration, BenchOptions options, GpuDevice? device)
    {
        foreach (string storage in options.Storages)
            yield return storage.ToLowerInvariant() switch
            {
                "robe" => BenchStorage.Robe(declaration, declaration.BlockSize),
                ['r', 'o', 'b', 'e', .. string z] when int.TryParse(z, out int blockSize) && blockSize > 0 => BenchStorage.Robe(declaration, blockSize),
                // CUDA draws the embedding in place, so Full tables are capped only by the device's free memory; the CPU
                // backend holds the embedding in one array (at most Array.MaxLength floats).
                "full" => BenchStorage.Full(declaration, device is null ? Array.MaxLength
                    : device.FreeMemory is long free ? (free - DeviceHeadroomBytes) / sizeof(float) : long.MaxValue, indexRow: options.Synthetic is not null),
                _ => throw new ArgumentException($"Unknown storage '{storage}' (robe = the declared Z, robeN = Z of N, or full)."),
            };
    }

    /// <summary>
    /// The synthetic rows shaped for the model as train --synthetic-rows reads them: ranks as indices for a model that takes
    /// indices (no vocabulary is counted), raw ids otherwise. Null, with a note, when a capped Full storage has too few rows
    /// for the data set's indices (the other storages are still measured).
    /// </summary>
    private static SyntheticTrainingData? SyntheticRows(SyntheticGenerator generator, EmbeddingLayout layout, BenchStorage storage, long count)
    {
        var rows = new SyntheticTrainingData(generator, 0, count).ForModel(layout.Declaration);
        if (!layout.TakesVocabularyIndices) return rows;
        rows = rows.ForIndices();
        try
        {
            rows.CheckIndicesFit(layout);
            return rows;
        }
        catch (ArgumentException e)
        {
            Console.WriteLine($"  note: --synthetic: {storage.Name} skipped: {CliErrors.OneLine(e)}");
            return null;
        }
    }

    private static IDlrmBackend Build(IDlrmDefinition definition, ModelOptions options, GpuDevice? device)
    {
        if (device is null) return new CpuDlrmBackend(definition, options);
        return CudaDlrmBackend.CreateInitialized(definition, options, device);
    }
}
