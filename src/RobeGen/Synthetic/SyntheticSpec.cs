using System.Collections.Immutable;
using RobeGen.Data;
using RobeGen.Models;

namespace RobeGen.Synthetic;

/// <summary>
/// What a synthetic Criteo-shaped data set looks like: per-column cardinalities, the Zipf exponent of token
/// frequencies, and the strength of each part of the hidden teacher that labels the rows. Everything the generator
/// produces is a function of this record (and the row index).
/// </summary>
public sealed record SyntheticSpec
{
    /// <summary>Seed of the whole data set: token ids, teacher weights and every row.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Distinct tokens of each of the 26 categorical columns.</summary>
    public required ImmutableArray<long> Cardinalities { get; init; }

    /// <summary>Token k of a column (0 the most frequent) appears with probability proportional to 1 / (k + 1)^s.</summary>
    public double ZipfExponent { get; init; } = 1.1;

    /// <summary>The click rate the teacher's bias is tuned to.</summary>
    public double TargetCtr { get; init; } = 0.25;

    /// <summary>Standard deviation of one column's per-token logit weight.</summary>
    public double TokenSignal { get; init; } = 0.25;

    /// <summary>Column pairs whose tokens interact (a dot product of hashed 4-vectors, as DLRM's interaction can learn).</summary>
    public int InteractionPairs { get; init; } = 8;

    /// <summary>Standard deviation of one interaction term.</summary>
    public double InteractionSignal { get; init; } = 0.3;

    /// <summary>Scale of each dense feature's linear weight (on log(1 + count)).</summary>
    public double DenseSignal { get; init; } = 0.15;

    /// <summary>Fraction of dense values left empty (Criteo's are about 20% missing).</summary>
    public double DenseMissing { get; init; } = 0.1;

    /// <summary>The 26 cardinalities of a built-in table ("kaggle": Criteo Kaggle, "mlperf": Criteo 1TB as MLPerf DLRM), scaled.</summary>
    /// <param name="table">kaggle or mlperf.</param>
    /// <param name="scale">Multiplies every cardinality (at least 1 token, and columns already smaller than 4 keep theirs).</param>
    public static ImmutableArray<long> CardinalityTable(string table, double scale = 1.0)
    {
        if (!(scale > 0)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The cardinality scale must be positive.");
        ModelDeclaration declaration = table.ToLowerInvariant() switch
        {
            "kaggle" => CriteoKaggle.Definition.Declaration,
            "mlperf" or "terabyte" => CriteoTerabyte.Definition.Declaration,
            _ => throw new ArgumentException($"Unknown cardinality table '{table}': use kaggle or mlperf.", nameof(table)),
        };
        return declaration.Tables.OrderBy(t => t.Column)
            .Select(t => Math.Max(Math.Min(t.Cardinality, 4), (long)Math.Round(t.Cardinality * scale)))
            .ToImmutableArray();
    }

    internal void Validate()
    {
        if (Cardinalities.IsDefault || Cardinalities.Length != CriteoSchema.CategoricalFeatures)
            throw new ArgumentException($"A synthetic data set needs {CriteoSchema.CategoricalFeatures} cardinalities.");
        foreach (long c in Cardinalities)
            if (c < 1 || c > uint.MaxValue) throw new ArgumentException($"Cardinality {c} is outside 1..2^32-1 (ids are 32-bit).");
        if (!(ZipfExponent > 0)) throw new ArgumentException("The Zipf exponent must be positive.");
        if (!(TargetCtr > 0 && TargetCtr < 1)) throw new ArgumentException("The target CTR must lie strictly between 0 and 1.");
        if (InteractionPairs < 0 || InteractionPairs > CriteoSchema.CategoricalFeatures * (CriteoSchema.CategoricalFeatures - 1) / 2)
            throw new ArgumentException("InteractionPairs must be between 0 and 325.");
        if (!(DenseMissing >= 0 && DenseMissing < 1)) throw new ArgumentException("DenseMissing must lie in [0, 1).");
    }
}
