using RobeGen.Models;
using RobeGen.Training;

namespace RobeGen.Lab.Study;

/// <summary>
/// One embedding storage method the sweep compares: Full (one row per id, the reference), Hashed (the hashing trick),
/// QR (quotient-remainder, sized by <see cref="QuotientRemainderSizing"/>) or ROBE with a block size Z and an
/// addressing variant. Compressible methods run at every ratio of the sweep.
/// </summary>
/// <param name="Name">Command-line name, e.g. <c>robe-z4</c>.</param>
/// <param name="Label">Name in tables and plots.</param>
/// <param name="Storage">Storage of every table.</param>
/// <param name="BlockSize">ROBE block size Z (null: the declaration's).</param>
/// <param name="Variant">ROBE addressing formula (a twin declaration for Circular and Signed).</param>
/// <param name="QuotientRemainderInit">How QR tables start.</param>
internal sealed record SweepMethod(string Name, string Label, EmbeddingStorage Storage, int? BlockSize = null, RobeVariant Variant = RobeVariant.Authors,
    QuotientRemainderInit QuotientRemainderInit = QuotientRemainderInit.Reference)
{
    public bool IsCompressible => Storage != EmbeddingStorage.Full;

    public bool IsRobe => Storage == EmbeddingStorage.Robe;

    /// <summary>The storage choice of this method at <paramref name="ratio"/> (ignored for Full); Hashed tables share the memory with one cap (see <see cref="StorageChoice.CappedHashing"/>).</summary>
    public StorageChoice Choice(double ratio) =>
        new(Storage, IsCompressible ? ratio : null, null, Storage == EmbeddingStorage.Robe ? BlockSize : null, CappedHashing: true,
            QuotientRemainderInit: QuotientRemainderInit);

    /// <summary>The model to train: <paramref name="baseModel"/>, or its twin with this method's ROBE variant.</summary>
    public IDlrmDefinition Definition(IDlrmDefinition baseModel)
    {
        if (Variant == RobeVariant.Authors || baseModel.Declaration.Variant == Variant) return baseModel;
        if (baseModel.Declaration.Name != CriteoKaggle.Definition.Declaration.Name)
            throw new ArgumentException($"Method {Name} needs a {Variant} twin of {baseModel.Declaration.Name}; only criteo-kaggle has one.");
        return Variant switch
        {
            RobeVariant.Circular => CriteoKaggleCircular.Definition,
            RobeVariant.Signed => CriteoKaggleSigned.Definition,
            _ => throw new ArgumentOutOfRangeException(nameof(baseModel), Variant, "unknown variant"),
        };
    }

    /// <summary>Every method for a model of embedding dim <paramref name="dim"/> and declared block size <paramref name="declaredZ"/>, in table order.</summary>
    public static IReadOnlyList<SweepMethod> All(int dim, int declaredZ)
    {
        var list = new List<SweepMethod>
        {
            new("full", "Full", EmbeddingStorage.Full),
            new("hashed", "Hashed (capped)", EmbeddingStorage.Hashed),
            new("qr", "QR", EmbeddingStorage.QuotientRemainder),
            new("qr-scaled", "QR (scaled init)", EmbeddingStorage.QuotientRemainder, QuotientRemainderInit: QuotientRemainderInit.ScaleMatched),
        };
        foreach (int z in new[] { 1, declaredZ, dim }.Distinct())
            list.Add(new($"robe-z{z}", $"ROBE Z={z}", EmbeddingStorage.Robe, z));
        list.Add(new("robe-circular", $"ROBE Z={declaredZ} circular", EmbeddingStorage.Robe, declaredZ, RobeVariant.Circular));
        list.Add(new("robe-signed", $"ROBE Z={declaredZ} signed", EmbeddingStorage.Robe, declaredZ, RobeVariant.Signed));
        return list;
    }

    /// <summary>The methods named in <paramref name="names"/> (all when empty), in table order.</summary>
    public static IReadOnlyList<SweepMethod> Select(IReadOnlyCollection<string> names, int dim, int declaredZ)
    {
        IReadOnlyList<SweepMethod> all = All(dim, declaredZ);
        if (names.Count == 0) return all;
        foreach (string name in names)
            if (!all.Any(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                throw new ArgumentException($"Unknown method '{name}'. Known: {string.Join(", ", all.Select(m => m.Name))}.");
        return all.Where(m => names.Contains(m.Name, StringComparer.OrdinalIgnoreCase)).ToList();
    }
}
