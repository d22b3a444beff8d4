namespace RobeGen.Data;

/// <summary>Which columns a Criteo file has.</summary>
public enum CriteoLayout
{
    /// <summary>40 fields: label, I1..I13, C1..C26 (Kaggle train.txt, Criteo 1TB day_N).</summary>
    Labeled = 0,
    /// <summary>39 fields: I1..I13, C1..C26, no label (Kaggle test.txt); batch labels are 0.</summary>
    Unlabeled = 1,
}

/// <summary>Field names and counts of the Criteo TSV layouts.</summary>
public static class CriteoSchema
{
    /// <summary>Integer columns I1..I13.</summary>
    public const int DenseFeatures = 13;
    /// <summary>Categorical columns C1..C26.</summary>
    public const int CategoricalFeatures = 26;

    /// <summary>Fields of a line of <paramref name="layout"/>: 40 labeled, 39 unlabeled.</summary>
    public static int FieldCount(CriteoLayout layout) =>
        (layout == CriteoLayout.Labeled ? 1 : 0) + DenseFeatures + CategoricalFeatures;

    /// <summary>Name of a zero-based field of the layout: "label", "I1".."I13", "C1".."C26".</summary>
    public static string FieldName(CriteoLayout layout, int field)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(field, FieldCount(layout));
        if (layout == CriteoLayout.Labeled)
        {
            if (field == 0) return "label";
            field--;
        }
        return field < DenseFeatures ? $"I{field + 1}" : $"C{field - DenseFeatures + 1}";
    }

    /// <summary>A batch shaped for Criteo rows: 13 dense features and 26 token columns.</summary>
    public static Batch CreateBatch(int capacity) => new(capacity, DenseFeatures, CategoricalFeatures);
}
