using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Data;
using RobeGen.Metrics;

namespace RobeGen.Lab.Equivalence;

/// <summary>
/// The checks that the CUDA backend computes the model of docs/model-math.md: layer by layer against the double
/// precision <see cref="ReferenceDlrm"/>, over training against another backend (the CPU one), and run-to-run
/// determinism. Library code so that the xunit tests (ILGPU's CPU accelerator, tiny shapes) and the device check
/// program (a real GPU, the Kaggle model) run the very same checks.
/// </summary>
internal static class BackendEquivalence
{
    /// <summary>Default limit of the layer checks: max error relative to the tensor's largest value.</summary>
    public const double LayerTolerance = 1e-5;
    /// <summary>Predictions of two backends after training may differ by this much (absolute probability).</summary>
    public const double PredictionTolerance = 1e-3;
    /// <summary>"AUC equal to 3 decimals": the two AUCs within half a unit of the third decimal.</summary>
    public const double AucTolerance = 5e-4;

    /// <summary>
    /// One training step of <paramref name="cuda"/> traced layer by layer and compared with <see cref="ReferenceDlrm"/>
    /// from the same state and batch: every activation, the loss, every activation and parameter gradient, the
    /// embedding gradient dL/dM, and the parameters (and Adagrad state) after the update.
    /// </summary>
    public static EquivalenceReport CheckLayers(CudaDlrmBackend cuda, IEmbeddingKernels embedding, Batch batch,
        float learningRate, OptimizerKind optimizer, double tolerance = LayerTolerance)
    {
        var report = new EquivalenceReport($"Layers of {cuda.Declaration.Name} on {cuda.DeviceName}, batch {batch.Count}");
        ModelState before = cuda.ExportState();
        StepTrace expected = new ReferenceDlrm(cuda.Layout, embedding, before).TraceStep(batch);
        StepTrace actual = CudaStepTracer.TraceTrainStep(cuda, batch, learningRate);
        report.Record(new CheckResult("loss", Math.Abs(actual.Loss - expected.Loss) / Math.Max(Math.Abs(expected.Loss), 1e-30), tolerance,
            $"{actual.Loss:G9} vs {expected.Loss:G9}"));
        foreach (var (name, values) in expected.Tensors)
            report.CompareTensors(name, values, actual.Contains(name) ? actual[name] : [], tolerance);

        // The update itself, from the reference gradient: SGD w -= lr g; Adagrad G += g^2, w -= lr g / (sqrt(G) + eps)
        // (applied to every entry: an embedding slot that was not read has g = 0 and so does not change either way).
        ModelState after = cuda.ExportState();
        foreach (var (name, values) in before.Tensors)
        {
            if (name.StartsWith("adagrad.", StringComparison.Ordinal)) continue;
            float[] gradient = expected[name + " gradient"];
            var updated = new float[values.Length];
            var accumulated = optimizer == OptimizerKind.Adagrad ? new float[values.Length] : null;
            for (int i = 0; i < values.Length; i++)
            {
                double g = gradient[i];
                if (accumulated is null) { updated[i] = (float)(values[i] - learningRate * g); continue; }
                double sum = before["adagrad." + name][i] + g * g;
                accumulated[i] = (float)sum;
                updated[i] = (float)(values[i] - learningRate * g / (Math.Sqrt(sum) + 1e-10));
            }
            report.CompareTensors($"{name} after {optimizer}", updated, after[name], tolerance);
            if (accumulated is not null) report.CompareTensors($"adagrad.{name} after {optimizer}", accumulated, after["adagrad." + name], tolerance);
        }
        return report;
    }

    /// <summary>
    /// Trains <paramref name="reference"/> and <paramref name="candidate"/> (same initial state) on the same batches,
    /// then compares: each parameter's first update, the loss of every step, and the predictions and AUC on
    /// <paramref name="evaluation"/> after all steps.
    /// </summary>
    public static EquivalenceReport CheckTraining(IDlrmBackend reference, IDlrmBackend candidate, IReadOnlyList<Batch> training,
        IReadOnlyList<Batch> evaluation, int steps, float learningRate, double updateTolerance = 1e-4)
    {
        var report = new EquivalenceReport($"Training {steps} steps: {candidate.DeviceName} vs {reference.DeviceName}");
        ModelState start = reference.ExportState();
        double worstLoss = 0;
        for (int step = 0; step < steps; step++)
        {
            Batch batch = training[step % training.Count];
            float lossReference = reference.TrainStep(batch, learningRate);
            float lossCandidate = candidate.TrainStep(batch, learningRate);
            worstLoss = Math.Max(worstLoss, Math.Abs(lossCandidate - lossReference) / Math.Max(Math.Abs(lossReference), 1e-30));
            if (step == 0) CompareFirstUpdate(report, start, reference.ExportState(), candidate.ExportState(), updateTolerance);
        }
        report.Record(new CheckResult("step losses (max relative difference)", worstLoss, PredictionTolerance));

        var (pReference, labels) = PredictAll(reference, evaluation);
        var (pCandidate, _) = PredictAll(candidate, evaluation);
        double worst = 0;
        for (int i = 0; i < pReference.Length; i++) worst = Math.Max(worst, Math.Abs(pReference[i] - pCandidate[i]));
        report.Record(new CheckResult($"predictions after {steps} steps (max |dp|)", worst, PredictionTolerance, $"{pReference.Length} rows"));
        double aucReference = Auc(pReference, labels), aucCandidate = Auc(pCandidate, labels);
        report.Record(new CheckResult($"AUC after {steps} steps (|dAUC|)", Math.Abs(aucReference - aucCandidate), AucTolerance,
            $"{aucCandidate:0.00000} vs {aucReference:0.00000}"));
        return report;
    }

    /// <summary>Two runs from the same state on the same batches end in bit-identical states (deterministic mode).</summary>
    public static EquivalenceReport CheckDeterminism(Func<IDlrmBackend> create, IReadOnlyList<Batch> training, int steps, float learningRate,
        string? what = null)
    {
        ModelState[] finals = new ModelState[2];
        string device = "";
        for (int run = 0; run < 2; run++)
        {
            using var backend = create();
            device = backend.DeviceName;
            for (int step = 0; step < steps; step++) backend.TrainStep(training[step % training.Count], learningRate);
            finals[run] = backend.ExportState();
        }
        var report = new EquivalenceReport($"Determinism{(what is null ? "" : " " + what)} over {steps} steps on {device}");
        RecordBitDifferences(report, finals[0], finals[1], "between runs");
        return report;
    }

    /// <summary>
    /// What a resumed training run relies on: <paramref name="steps"/> steps in one backend against the same steps split
    /// in two, the first half ending with a prediction (as the evaluation and the checkpoint's probe before a save) and
    /// its state exported and imported into a new backend (<paramref name="createFrom"/>) for the rest. On the
    /// deterministic path every parameter bit must match.
    /// </summary>
    public static EquivalenceReport CheckResume(Func<IDlrmBackend> create, Func<ModelState, IDlrmBackend> createFrom, IReadOnlyList<Batch> training,
        int steps, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(createFrom);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        ModelState whole, saved, resumed;
        string device;
        using (var backend = create())
        {
            device = backend.DeviceName;
            for (int step = 0; step < steps; step++) backend.TrainStep(training[step % training.Count], learningRate);
            whole = backend.ExportState();
        }
        int half = steps / 2;
        using (var first = create())
        {
            for (int step = 0; step < half; step++) first.TrainStep(training[step % training.Count], learningRate);
            first.Predict(training[0], new float[training[0].Count]);
            saved = first.ExportState();
        }
        using (var second = createFrom(saved))
        {
            for (int step = half; step < steps; step++) second.TrainStep(training[step % training.Count], learningRate);
            resumed = second.ExportState();
        }
        var report = new EquivalenceReport($"Resume: {steps} steps whole against {half} + {steps - half} through an export and import on {device}");
        RecordBitDifferences(report, whole, resumed, "whole vs resumed");
        return report;
    }

    /// <summary>One result per tensor: how many of its values differ in their bits between the two states.</summary>
    private static void RecordBitDifferences(EquivalenceReport report, ModelState a, ModelState b, string between)
    {
        foreach (var (name, values) in a.Tensors)
        {
            float[] other = b[name];
            int differing = 0;
            for (int i = 0; i < values.Length; i++)
                if (BitConverter.SingleToInt32Bits(values[i]) != BitConverter.SingleToInt32Bits(other[i])) differing++;
            report.Record(new CheckResult($"{name} bits differing {between}", differing, 0, $"{values.Length} values"));
        }
    }

    /// <summary>
    /// Compares the two backends' first updates w' - w. Both w' are floats of the size of w, so each carries a
    /// rounding of up to half an ulp of w that no backend can avoid; one ulp of difference is forgiven per entry, the rest is
    /// measured against the largest reference update.
    /// </summary>
    private static void CompareFirstUpdate(EquivalenceReport report, ModelState start, ModelState reference, ModelState candidate, double tolerance)
    {
        foreach (var (name, initial) in start.Tensors)
        {
            float[] a = reference[name], b = candidate[name];
            double worst = 0, scale = 0;
            for (int i = 0; i < initial.Length; i++)
            {
                scale = Math.Max(scale, Math.Abs((double)a[i] - initial[i]));
                float magnitude = Math.Max(Math.Abs(a[i]), Math.Abs(b[i]));
                double ulp = (double)MathF.BitIncrement(magnitude) - magnitude;
                double excess = Math.Abs((double)a[i] - b[i]) - ulp;
                if (double.IsNaN(excess)) excess = double.PositiveInfinity;
                worst = Math.Max(worst, excess);
            }
            double relative = worst <= 0 ? 0 : worst / Math.Max(scale, 1e-30);
            report.Record(new CheckResult($"{name} first update", relative, tolerance, $"{initial.Length} values, largest update {scale:0.###e+00}"));
        }
    }

    private static double Auc(float[] probabilities, float[] labels)
    {
        var metrics = new MetricsAccumulator(probabilities.Length);
        metrics.Add(probabilities, labels);
        return metrics.Compute().Auc;
    }

    private static (float[] Probabilities, float[] Labels) PredictAll(IDlrmBackend backend, IReadOnlyList<Batch> batches)
    {
        var probabilities = new List<float>();
        var labels = new List<float>();
        foreach (var batch in batches)
        {
            var p = new float[batch.Count];
            backend.Predict(batch, p);
            probabilities.AddRange(p);
            labels.AddRange(batch.LabelSpan.ToArray());
        }
        return (probabilities.ToArray(), labels.ToArray());
    }
}
