namespace RobeGen;

/// <summary>How the two tables of a <see cref="EmbeddingStorage.QuotientRemainder"/> table start (docs/model-math.md).</summary>
public enum QuotientRemainderInit
{
    /// <summary>
    /// facebookresearch/dlrm's QREmbeddingBag: both tables U(sqrt(1/n), 1) (all positive, so every embedding starts at
    /// about 0.25 per coordinate), n = Q R.
    /// </summary>
    Reference = 0,

    /// <summary>
    /// Both tables U(-c, c) with c = n^(-1/4), so the product stays within sqrt(1/n), the bound of a Full row of the
    /// same table: embeddings start near zero like those of the other storages.
    /// </summary>
    ScaleMatched = 1,
}
