using RobeGen.Lab.Benchmarking;

namespace RobeGen.Cli.Commands.Check;

/// <summary>What <c>robegen check</c> runs (see <see cref="CheckCommand"/>).</summary>
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
    /// <summary>The precision whose model checks (besides the FP32 ones) and throughput run.</summary>
    public Backends.Precision Precision { get; init; } = Backends.Precision.Fp32;
}
