using RobeGen.Backends;
using RobeGen.Metrics;
using RobeGen.Training;

namespace RobeGen.Lab.Study;

/// <summary>What a sweep trains: methods x ratios x seeds of one base model, with one set of training settings.</summary>
internal sealed record SweepPlan(
    IDlrmDefinition BaseModel,
    IReadOnlyList<SweepMethod> Methods,
    IReadOnlyList<double> Ratios,
    IReadOnlyList<int> Seeds,
    ModelOptions Runtime,
    TrainingOptions Training,
    long MinCount = 1)
{
    /// <summary>Every cell in table order: (method, ratio, seed), Full once per seed with ratio 0.</summary>
    public IEnumerable<(SweepMethod Method, double Ratio, int Seed)> Cells()
    {
        foreach (SweepMethod method in Methods)
            foreach (double ratio in method.IsCompressible ? Ratios : [0.0])
                foreach (int seed in Seeds)
                    yield return (method, ratio, seed);
    }
}

/// <summary>
/// Trains every cell of a <see cref="SweepPlan"/> with the same <see cref="Trainer"/> and model-building path as
/// <c>robegen train</c>, one model at a time, and reports each result as soon as it exists.
/// </summary>
internal static class SweepRunner
{
    /// <param name="data">Training and evaluation rows.</param>
    /// <param name="plan">The cells to train.</param>
    /// <param name="done">Results already known (cells in it are skipped).</param>
    /// <param name="onResult">Receives each new result (e.g. to append it to the results file).</param>
    /// <param name="log">Progress lines.</param>
    public static IReadOnlyList<SweepResult> Run(SweepData data, SweepPlan plan, IReadOnlyList<SweepResult> done,
        Action<SweepResult>? onResult = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(plan);
        var results = new List<SweepResult>(done);
        var cells = plan.Cells().ToList();
        int index = 0;
        foreach ((SweepMethod method, double ratio, int seed) in cells)
        {
            index++;
            if (done.Any(r => r.Is(method.Name, ratio, seed))) continue;
            string name = ratio == 0 ? method.Label : $"{method.Label} {ratio:G}x";
            log?.Invoke($"[{index}/{cells.Count}] {name}, seed {seed}");
            SweepResult result = RunCell(data, plan, method, ratio, seed, log);
            log?.Invoke(FormattableString.Invariant($"    AUC {result.Auc:F4}  logloss {result.LogLoss:F4}  embeddings {result.EmbeddingBytes:N0} B  {result.Seconds:F1} s"));
            results.Add(result);
            onResult?.Invoke(result);
        }
        return results;
    }

    private static SweepResult RunCell(SweepData data, SweepPlan plan, SweepMethod method, double ratio, int seed, Action<string>? log)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IDlrmDefinition definition = method.Definition(plan.BaseModel);
        ModelOptions options = plan.Runtime with { Seed = seed };
        NewModel built = ModelSetup.Create(definition, options, method.Choice(ratio), data.RawTrain, plan.MinCount,
            data.FullRows(definition.Declaration), log);
        using IDlrmBackend model = built.Model;
        var trainer = new Trainer(model, plan.Training);
        TrainingSummary summary = trainer.Train(data.Train(definition.Declaration, built), data.Eval(definition.Declaration, built));
        EvaluationMetrics metrics = summary.Evaluation ?? throw new InvalidOperationException("The sweep's training ended without an evaluation.");
        ModelSize size = model.Layout.Size;
        return new SweepResult(method.Name, method.Label, ratio, seed, size.EmbeddingBytes, size.Bytes, metrics.Auc, metrics.LogLoss,
            summary.Final.Rows, clock.Elapsed.TotalSeconds, model.DeviceName);
    }
}
