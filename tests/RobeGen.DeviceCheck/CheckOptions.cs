namespace RobeGen.DeviceCheck;

/// <summary>Command line of the device check.</summary>
internal sealed record CheckOptions
{
    /// <summary>Run on ILGPU's CPU accelerator with tiny sizes (to try the program where there is no GPU).</summary>
    public bool Simulate { get; init; }
    public bool SkipEquivalence { get; init; }
    public bool SkipThroughput { get; init; }
    /// <summary>A Criteo Kaggle-layout .tsv/.tsv.gz for the training check (synthetic batches when absent).</summary>
    public string? DataFile { get; init; }
    public int TrainingSteps { get; init; } = 100;
    public int[] BatchSizes { get; init; } = [2048, 16384];
    /// <summary>Timed steps per measurement (after warm-up).</summary>
    public int TimedSteps { get; init; } = 50;

    public static CheckOptions Parse(string[] args)
    {
        var options = new CheckOptions();
        for (int i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--simulate" => options with { Simulate = true, BatchSizes = [64], TimedSteps = 3, TrainingSteps = 10 },
                "--skip-equivalence" => options with { SkipEquivalence = true },
                "--skip-throughput" => options with { SkipThroughput = true },
                "--data" when i + 1 < args.Length => options with { DataFile = args[++i] },
                "--steps" when i + 1 < args.Length => options with { TrainingSteps = int.Parse(args[++i]) },
                "--timed-steps" when i + 1 < args.Length => options with { TimedSteps = int.Parse(args[++i]) },
                "--batches" when i + 1 < args.Length => options with { BatchSizes = args[++i].Split(',').Select(int.Parse).ToArray() },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'. Use --simulate, --skip-equivalence, --skip-throughput, --data FILE, --steps N, --timed-steps N, --batches 2048,16384."),
            };
        }
        return options;
    }
}
