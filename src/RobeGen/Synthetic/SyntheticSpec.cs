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

    /// <summary>How tokens carry the signal: one independent weight each (the original teacher), or latent vectors
    /// shared by clusters of ids (<see cref="SyntheticTeacher.Structured"/>). The rows' features are the same for both;
    /// only the labels differ.</summary>
    public SyntheticTeacher Teacher { get; init; } = SyntheticTeacher.Independent;

    /// <summary>Structured teacher: clusters of ids per column (each id belongs to one).</summary>
    public int Clusters { get; init; } = 16;

    /// <summary>Structured teacher: dimension r of the latent vectors.</summary>
    public int LatentRank { get; init; } = 4;

    /// <summary>Structured teacher: fraction of an id's latent variance that is its own (the rest is its cluster's).</summary>
    public double IdNoise { get; init; } = 0.1;

    /// <summary>Structured teacher: Zipf exponent of cluster sizes (cluster g gets a share of the ids proportional to
    /// 1 / (g + 1)^skew; 0: equal clusters).</summary>
    public double ClusterSkew { get; init; } = 1.0;

    /// <summary>Structured teacher: fraction of a row's tokens drawn from the ids of the row's own cluster ("segment",
    /// one per row, drawn with the clusters' shares), the rest from the whole column. Above 0 the columns of a row agree,
    /// as a user's fields and an ad's do in real logs, so a model can read a row's segment from many columns at once.
    /// 0: every token independent (the rows' features are then the independent teacher's).</summary>
    public double Coherence { get; init; }

    /// <summary>The teacher in words, to append to a data set's description (reports, sweep settings, checkpoint
    /// hyperparameters): empty for the independent teacher, so that descriptions, and the settings files that sweeps
    /// made before the structured teacher compare on a rerun, stay as they were.</summary>
    public string TeacherNote => Teacher == SyntheticTeacher.Independent
        ? ""
        : FormattableString.Invariant($", structured teacher ({Clusters} clusters, skew {ClusterSkew}, rank {LatentRank}, id noise {IdNoise}, coherence {Coherence})");

    /// <summary>The names <see cref="CardinalityTable"/> takes (terabyte: another name for mlperf).</summary>
    public static IReadOnlyList<string> CardinalityTables { get; } = ["kaggle", "mlperf", "terabyte"];

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
        if (!Enum.IsDefined(Teacher)) throw new ArgumentException($"Unknown teacher {Teacher}.");
        if (Clusters < 1 || Clusters > StructuredTeacher.MaxClusters) throw new ArgumentException($"Clusters must be between 1 and {StructuredTeacher.MaxClusters}.");
        if (LatentRank < 1 || LatentRank > StructuredTeacher.MaxRank) throw new ArgumentException($"LatentRank must be between 1 and {StructuredTeacher.MaxRank}.");
        if (!(IdNoise >= 0 && IdNoise <= 1)) throw new ArgumentException("IdNoise must lie in [0, 1].");
        if (!(ClusterSkew >= 0 && ClusterSkew <= 10)) throw new ArgumentException("ClusterSkew must lie in [0, 10].");
        if (!(Coherence >= 0 && Coherence <= 1)) throw new ArgumentException("Coherence must lie in [0, 1].");
    }
}

/// <summary>How a synthetic data set's hidden teacher turns tokens into click probability.</summary>
public enum SyntheticTeacher
{
    /// <summary>Every token has its own independent random weight (and 4-vector for the interacting pairs): incompressible
    /// by construction.</summary>
    Independent,

    /// <summary>Every token's latent vector is its cluster's plus a small deviation of its own; the logit is linear in the
    /// latents plus dot products of interacting columns' latents, as a factorization machine.</summary>
    Structured,
}
