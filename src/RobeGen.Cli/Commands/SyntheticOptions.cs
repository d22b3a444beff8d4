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

    public IEnumerable<Option> All => [Seed, Cardinalities, Scale, Zipf, Ctr, Signal];

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
        };
    }
}
