using System.CommandLine;
using System.CommandLine.Parsing;
using RobeGen.Synthetic;

namespace RobeGen.Cli.Commands;

/// <summary>The options that describe a synthetic data set, shared by <c>robegen synth</c> and <c>robegen sweep</c>.</summary>
internal sealed class SyntheticOptions
{
    public Option<long> Seed { get; } = new Option<long>("--synth-seed") { Description = "Seed of the synthetic data (ids, teacher, rows).", DefaultValueFactory = _ => 1 };
    public Option<string> Cardinalities { get; } = new Option<string>("--cardinalities")
    {
        Description = "Per-column cardinalities: kaggle (Criteo Kaggle) or mlperf (Criteo 1TB as MLPerf DLRM).",
        DefaultValueFactory = _ => "kaggle",
    }.OneOf(SyntheticSpec.CardinalityTables);
    public Option<double> Scale { get; } = new Option<double>("--cardinality-scale")
    {
        Description = "Multiply every cardinality by this (e.g. 0.01 for a data set whose tables fill up).",
        DefaultValueFactory = _ => 1.0,
    }.Finite(0);
    public Option<double> Zipf { get; } = new Option<double>("--zipf") { Description = "Zipf exponent s of token frequencies: P(rank k) ~ 1/(k+1)^s.", DefaultValueFactory = _ => 1.1 }.Finite(0);
    public Option<double> Ctr { get; } = new Option<double>("--ctr") { Description = "Target click rate (the teacher's bias is tuned to it).", DefaultValueFactory = _ => 0.25 }.Finite(0, max: 0.999999);
    public Option<double> Signal { get; } = new Option<double>("--signal")
    {
        Description = "Multiplies the teacher's token, interaction and dense weights (higher: an easier task, higher teacher AUC).",
        DefaultValueFactory = _ => 1.0,
    }.Finite(0, inclusive: true);

    public Option<SyntheticTeacher> Teacher { get; } = new Option<SyntheticTeacher>("--teacher")
    {
        Description = "How tokens carry the label: independent (one random weight per token, incompressible) or structured " +
            "(ids in clusters sharing a latent vector, a low-rank interaction as real logs; --clusters, --latent-rank, --id-noise, --cluster-skew, --coherence).",
        DefaultValueFactory = _ => SyntheticTeacher.Independent,
    };
    public Option<int> Clusters { get; } = new Option<int>("--clusters") { Description = "Structured teacher: clusters of ids per column.", DefaultValueFactory = _ => 16 }.Between(1, StructuredTeacher.MaxClusters);
    public Option<int> LatentRank { get; } = new Option<int>("--latent-rank") { Description = "Structured teacher: dimension of the latent vectors.", DefaultValueFactory = _ => 4 }.Between(1, StructuredTeacher.MaxRank);
    public Option<double> IdNoise { get; } = new Option<double>("--id-noise")
    {
        Description = "Structured teacher: fraction of an id's latent variance that is its own (0: ids are their cluster; 1: independent ids).",
        DefaultValueFactory = _ => 0.1,
    }.Finite(0, inclusive: true, max: 1);
    public Option<double> ClusterSkew { get; } = new Option<double>("--cluster-skew")
    {
        Description = "Structured teacher: Zipf exponent of cluster sizes (0: equal clusters).",
        DefaultValueFactory = _ => 1.0,
    }.Finite(0, inclusive: true, max: 10);

    public Option<double> Coherence { get; } = new Option<double>("--coherence")
    {
        Description = "Structured teacher: fraction of a row's tokens drawn from the row's own cluster (columns agree, as in real logs; 0: independent tokens).",
        DefaultValueFactory = _ => 0.0,
    }.Finite(0, inclusive: true, max: 1);

    public IEnumerable<Option> All => [Seed, Cardinalities, Scale, Zipf, Ctr, Signal, Teacher, Clusters, LatentRank, IdNoise, ClusterSkew, Coherence];

    public void AddTo(Command command)
    {
        foreach (Option option in All) command.Options.Add(option);
    }

    /// <summary>
    /// Refuses (exit 2) any of these options given on a command line where <paramref name="used"/> says no synthetic rows
    /// are made: a --teacher beside --data files would otherwise be ignored without a word.
    /// </summary>
    /// <param name="when">How the user asks for synthetic rows, for the message ("with --synthetic").</param>
    public void OnlyWhen(Command command, Func<CommandResult, bool> used, string when)
    {
        command.Validators.Add(result =>
        {
            if (used(result)) return;
            foreach (Option option in All)
                if (result.GetResult(option) is { Implicit: false })
                    result.AddError($"{option.Name} describes synthetic rows: it applies only {when}");
        });
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
