using RobeGen.Backends;
using RobeGen.Cpu;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Initialization;
using RobeGen.Lab.Equivalence;
using RobeGen.Models;

using RobeGen.Lab.Benchmarking;

namespace RobeGen.Cli.Commands.Check;

/// <summary>The equivalence checks of <see cref="BackendEquivalence"/> on the reference models.</summary>
internal static class ModelChecks
{
    public static IEnumerable<EquivalenceReport> Run(GpuDevice device, CheckOptions options)
    {
        int layerBatch = options.Simulate ? 8 : 256;
        var kaggle = CriteoKaggle.Definition;

        // Layer by layer against the double-precision reference: deterministic and atomic gradients, SGD and Adagrad.
        yield return Layers(device, kaggle, new ModelOptions { MaxBatchSize = layerBatch, DeterministicGradients = true }, layerBatch, "deterministic");
        yield return Layers(device, kaggle, new ModelOptions { MaxBatchSize = layerBatch }, layerBatch, "atomic");
        yield return Layers(device, kaggle,
            new ModelOptions { MaxBatchSize = layerBatch, Optimizer = OptimizerKind.Adagrad, DeterministicGradients = true }, layerBatch, "deterministic");
        if (!options.Simulate)
        {
            yield return Layers(device, CriteoTerabyte.Definition, new ModelOptions { MaxBatchSize = 32, DeterministicGradients = true }, 32, "deterministic");
            // The cross layers on cuBLAS: the bias epilogue, and beta = 1 for dL/dx_l = g + dy U V.
            yield return Layers(device, CriteoTerabyteDcnV2.Definition, new ModelOptions { MaxBatchSize = 32 }, 32, "atomic");
            // The CUDA bag path at MLPerf's hotness (214 ids per sample, bags of up to 100): the bag gather, the bag
            // gradient scatter, atomic and deterministic, under the cross layers. Not in the simulator: too big for it.
            yield return Layers(device, CriteoTerabyteDcnV2MultiHot.Definition, new ModelOptions { MaxBatchSize = 32 }, 32, "atomic");
            yield return Layers(device, CriteoTerabyteDcnV2MultiHot.Definition, new ModelOptions { MaxBatchSize = 32, DeterministicGradients = true }, 32, "deterministic");
        }

        if (options.Precision == Precision.Bf16)
        {
            yield return Bf16(device, kaggle, options.Simulate ? 8 : 256);
            if (!options.Simulate)
            {
                yield return Bf16(device, CriteoTerabyte.Definition, 64);
                // The cross layers' bf16 GEMMs (F32 y with the F32 bias, g += dh V with beta = 1 into F32), single-hot and on MLPerf's bags.
                yield return Bf16(device, CriteoTerabyteDcnV2.Definition, 32);
                yield return Bf16(device, CriteoTerabyteDcnV2MultiHot.Definition, 32);
            }
        }
        if (options.Precision == Precision.Tf32 && !options.Simulate) yield return Tf32(device, kaggle, 256);

        // Training against the CPU backend.
        int batchSize = options.Simulate ? 16 : 128;
        var (training, evaluation, source) = KaggleBatches(options, batchSize);
        Console.WriteLine($"Training check data: {source}");
        var cudaOptions = new ModelOptions { MaxBatchSize = batchSize, DeterministicGradients = true, Device = DeviceKind.Cuda };
        using (var cpu = new CpuDlrmBackend(kaggle, cudaOptions with { Device = DeviceKind.Cpu }))
        using (var cuda = CreateCuda(device, kaggle, cudaOptions))
            yield return BackendEquivalence.CheckTraining(cpu, cuda, training, evaluation, options.TrainingSteps, learningRate: 0.1f);

        // Run to run.
        int steps = options.Simulate ? 3 : 20;
        yield return BackendEquivalence.CheckDeterminism(() => CreateCuda(device, kaggle, cudaOptions), training, steps, 0.1f);
        // Stopped, exported, imported into a new backend and resumed (what `train --resume` does): the same bits.
        yield return BackendEquivalence.CheckResume(() => CreateCuda(device, kaggle, cudaOptions),
            state => new CudaDlrmBackend(kaggle, cudaOptions, state, device), training, steps, 0.1f);
        if (!options.Simulate)
        {
            // The MLPerf model in the check's precision, on synthetic batches of its shape.
            var mlperfOptions = cudaOptions with { Precision = options.Precision == Precision.Int8 ? Precision.Fp32 : options.Precision };
            var mlperfBatches = Enumerable.Range(0, 4).Select(i => SyntheticBatches.Create(CriteoTerabyte.Definition.Declaration, batchSize, seed: 20 + i)).ToArray();
            yield return BackendEquivalence.CheckResume(() => CreateCuda(device, CriteoTerabyte.Definition, mlperfOptions),
                state => new CudaDlrmBackend(CriteoTerabyte.Definition, mlperfOptions, state, device), mlperfBatches, steps, 0.1f);
            // A resume runs in a new process, with GEMM plans of its own: two devices (each its own cuBLASLt plans) must
            // pick the same algorithms. Batches large enough that cuBLASLt would otherwise time its candidates.
            const int large = 4096;
            var largeBatches = Enumerable.Range(0, 2).Select(i => SyntheticBatches.Create(CriteoTerabyte.Definition.Declaration, large, seed: 30 + i)).ToArray();
            yield return BackendEquivalence.CheckDeterminism(() => CudaDlrmBackend.CreateInitialized(CriteoTerabyte.Definition,
                mlperfOptions with { MaxBatchSize = large }, GpuDevice.CreateCuda(reproducibleGemm: true), ownsDevice: true), largeBatches, steps, 0.1f,
                "of the MLPerf model on two devices (as a resume in a new process)");
        }
        var atomic = BackendEquivalence.CheckDeterminism(() => CreateCuda(device, kaggle, cudaOptions with { DeterministicGradients = false }), training, steps, 0.1f);
        Console.WriteLine($"(for information, not a check) atomic gradients, two runs of {steps} steps: " +
            $"{atomic.Results.Sum(r => r.Value):0} parameter values differ in their bits");
    }

    public static CudaDlrmBackend CreateCuda(GpuDevice device, IDlrmDefinition definition, ModelOptions options)
    {
        var layout = EmbeddingLayout.FromDeclaration(definition.Declaration, options.Embedding);
        return new CudaDlrmBackend(definition, options, ModelInitializer.Create(layout, options.Optimizer, options.Seed), device);
    }

    private static EquivalenceReport Layers(GpuDevice device, IDlrmDefinition definition, ModelOptions options, int rows, string mode)
    {
        using var backend = CreateCuda(device, definition, options);
        if (options.Optimizer == OptimizerKind.Adagrad)
        {
            // From G = 0 the first Adagrad step is lr * sign(g): float noise on a near-zero gradient would look like a
            // full step. Start from a positive G so the check measures the arithmetic.
            var state = backend.ExportState();
            foreach (var (name, values) in state.Tensors)
                if (name.StartsWith("adagrad.", StringComparison.Ordinal)) Array.Fill(values, 0.1f);
            backend.ImportState(state);
        }
        // A multi-hot model's batch holds bags of exactly each table's hotness.
        var batch = SyntheticBatches.Create(definition.Declaration, rows, seed: 5);
        var report = BackendEquivalence.CheckLayers(backend, definition.Embedding, batch, 0.1f, options.Optimizer);
        string ids = batch.IsMultiHot ? $", bags of {definition.Declaration.IdsPerSample} ids per sample" : "";
        Console.WriteLine($"({mode} embedding gradients, {options.Optimizer}{ids})");
        return report;
    }

    /// <summary>
    /// BF16 on the device against <see cref="Bf16Emulation"/> (the documented bf16 arithmetic in double precision): predictions,
    /// and the dense gradients of one SGD step with learning rate 1 (the update is minus the gradient).
    /// </summary>
    private static EquivalenceReport Bf16(GpuDevice device, IDlrmDefinition definition, int rows)
    {
        var report = new EquivalenceReport($"BF16 {definition.Declaration.Name.Split('.')[^1]} vs the bf16 emulation, {rows} rows, {device.Name}");
        var options = new ModelOptions { MaxBatchSize = rows, Precision = Precision.Bf16 };
        using var backend = CreateCuda(device, definition, options);
        ModelState state = backend.ExportState();
        var batch = SyntheticBatches.Create(definition.Declaration, rows, seed: 7);
        var probabilities = new float[rows];
        backend.Predict(batch, probabilities);
        double[] expected = Bf16Emulation.Predict(definition.Declaration, backend.Layout, definition.Embedding, state, batch);
        report.CompareTensors("predictions", expected.Select(v => (float)v).ToArray(), probabilities, 1e-2);
        var gradients = Bf16Emulation.DenseGradients(definition.Declaration, backend.Layout, definition.Embedding, state, batch);
        backend.TrainStep(batch, 1f);
        ModelState after = backend.ExportState();
        foreach (var (name, gradient) in gradients)
        {
            float[] before = state[name], now = after[name];
            report.CompareTensors($"{name} gradient", gradient.Select(g => (float)g).ToArray(), before.Select((w, i) => w - now[i]).ToArray(), 5e-2);
        }
        return report;
    }

    /// <summary>TF32 predictions against FP32 ones from the same state (TF32 keeps 10 mantissa bits in the products).</summary>
    private static EquivalenceReport Tf32(GpuDevice device, IDlrmDefinition definition, int rows)
    {
        var report = new EquivalenceReport($"TF32 {definition.Declaration.Name.Split('.')[^1]} vs FP32, {rows} rows, {device.Name}");
        using var fp32 = CreateCuda(device, definition, new ModelOptions { MaxBatchSize = rows });
        using var tf32 = CreateCuda(device, definition, new ModelOptions { MaxBatchSize = rows, Precision = Precision.Tf32 });
        var batch = SyntheticBatches.Create(definition.Declaration, rows, seed: 7);
        float[] p = new float[rows], q = new float[rows];
        fp32.Predict(batch, p);
        tf32.Predict(batch, q);
        report.CompareTensors("predictions", p, q, 1e-2);
        return report;
    }

    private static (List<Batch> Training, List<Batch> Evaluation, string Source) KaggleBatches(CheckOptions options, int batchSize)
    {
        if (options.DataFile is { } path && File.Exists(path))
        {
            var all = CriteoTsv.ReadBatches(path, batchSize, options.Simulate ? 8 * batchSize : 10_000);
            int evaluationBatches = Math.Max(1, all.Count / 5);
            return (all.Take(all.Count - evaluationBatches).ToList(), all.Skip(all.Count - evaluationBatches).ToList(),
                $"{Path.GetFileName(path)}: {all.Count - evaluationBatches} training and {evaluationBatches} evaluation batches of {batchSize}");
        }
        var declaration = CriteoKaggle.Declaration;
        var train = Enumerable.Range(0, 20).Select(i => SyntheticBatches.Create(declaration, batchSize, 100 + i)).ToList();
        var eval = Enumerable.Range(0, 4).Select(i => SyntheticBatches.Create(declaration, batchSize, 900 + i)).ToList();
        return (train, eval, $"synthetic: 20 training and 4 evaluation batches of {batchSize}");
    }
}
