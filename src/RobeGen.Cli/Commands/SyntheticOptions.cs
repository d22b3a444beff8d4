using System.CommandLine;
using RobeGen.Synthetic;

namespace RobeGen.Cli.Commands;

/// <summary>The options that describe a synthetic data set, shared by <c>robegen synth</c> and <c>robegen sweep</c>.</summary>
internal sealed class SyntheticOptions
{
    public Option<long> Seed { get; } = new("--synth-seed") { Description = "Seed of the synthetic data (ids, teacher, rows).", DefaultValueFactory = _ => 1 };
    public Option<string> Cardinalities { get; } = new("--cardinalities")
    {
        Description = "Per-column cardinalities: kaggle (Criteo Kaggle) or mlperf (Criteo 1TB as MLPerf DLRM).",
        DefaultValueFactory = _ => "kaggle",
    };
    public Option<double> Scale { get; } = new("--cardinality-scale")
    {
        Description = "Multiply every cardinality by this (e.g. 0.01 for a data set whose tables fill up).",
        DefaultValueFactory = _ => 1.0,
    };
    public Option<double> Zipf { get; } = new("--zipf") { Description = "Zipf exponent s of token frequencies: P(rank k) ~ 1/(k+1)^s.", DefaultValueFactory = _ => 1.1 };
    public Option<double> Ctr { get; } = new("--ctr") { Description = "Target click rate (the teacher's bias is tuned to it).", DefaultValueFactory = _ => 0.25 };
    public Option<double> Signal { get; } = new("--signal")
    {
        Description = "Multiplies the teacher's token, interaction and dense weights (higher: an easier task, higher teacher AUC).",
        DefaultValueFactory = _ => 1.0,
    };

    public Option<SyntheticTeacher> Teacher { get; } = new("--teacher")
    {
        Description = "How tokens carry the label: independent (one random weight per token, incompressible) or structured " +
            "(ids in clusters sharing a latent vector, a low-rank interaction as real logs; --clusters, --latent-rank, --id-noise, --cluster-skew, --coherence).",
        DefaultValueFactory = _ => SyntheticTeacher.Independent,
    };
    public Option<int> Clusters { get; } = new("--clusters") { Description = "Structured teacher: clusters of ids per column.", DefaultValueFactory = _ => 16 };
    public Option<int> LatentRank { get; } = new("--latent-rank") { Description = "Structured teacher: dimension of the latent vectors.", DefaultValueFactory = _ => 4 };
    public Option<double> IdNoise { get; } = new("--id-noise")
    {
        Description = "Structured teacher: fraction of an id's latent variance that is its own (0: ids are their cluster; 1: independent ids).",
        DefaultValueFactory = _ => 0.1,
    };
    public Option<double> ClusterSkew { get; } = new("--cluster-skew")
    {
        Description = "Structured teacher: Zipf exponent of cluster sizes (0: equal clusters).",
        DefaultValueFactory = _ => 1.0,
    };

    public Option<double> Coherence { get; } = new("--coherence")
    {
        Description = "Structured teacher: fraction of a row's tokens drawn from the row's own cluster (columns agree, as in real logs; 0: independent tokens).",
        DefaultValueFactory = _ => 0.0,
    };

    public IEnumerable<Option> All => [Seed, Cardinalities, Scale, Zipf, Ctr, Signal, Teacher, Clusters, LatentRank, IdNoise, ClusterSkew, Coherence];

    public void AddTo(Command command)
    {
        foreach (Option option in All) command.Options.Add(option);
    }

    public SyntheticSpec Spec(ParseResult parse)
    {
        var defaults = new SyntheticSpec { Cardinalities = [] };
        double signal = parse.GetValue(Signal);
        return new SyntheticSpec
        {
            Seed = parse.GetValue(Seed),
            Cardinalities = SyntheticSpec.CardinalityTable(parse.GetValue(Cardinalities)!, parse.GetValue(Scale)),
            ZipfExponent = parse.GetValue(Zipf),
            TargetCtr = parse.GetValue(Ctr),
            TokenSignal = defaults.TokenSignal * signal,
            InteractionSignal = defaults.InteractionSignal * signal,
            DenseSignal = defaults.DenseSignal * signal,
            Teacher = parse.GetValue(Teacher),
            Clusters = parse.GetValue(Clusters),
            LatentRank = parse.GetValue(LatentRank),
            IdNoise = parse.GetValue(IdNoise),
            ClusterSkew = parse.GetValue(ClusterSkew),
            Coherence = parse.GetValue(Coherence),
        };
    }
}
