namespace RobeGen.Data;

/// <summary>
/// Picks a model's inputs out of a full Criteo batch (13 dense, 26 categorical columns): the first
/// <see cref="ModelDeclaration.DenseFeatures"/> integer columns and, for table t, the categorical column
/// <see cref="EmbeddingTable.Column"/>. Models that read all columns in order need no projection.
/// </summary>
internal sealed class ColumnProjection
{
    private readonly int[] _columns;
    private readonly int _dense;

    private ColumnProjection(int dense, int[] columns) => (_dense, _columns) = (dense, columns);

    /// <summary>The projection for <paramref name="declaration"/>, or null when the model takes Criteo batches as they are.</summary>
    public static ColumnProjection? For(ModelDeclaration declaration)
    {
        foreach (EmbeddingTable t in declaration.Tables)
            if (t.IsMultiHot)
                throw new ArgumentException($"Table {t.Name} of {declaration.Name} reads column {t.ColumnName} as multi-hot (Pooling = {t.Pooling}); Criteo TSV holds "
                    + "one id per cell: give the data as CSV with a header or Parquet, with a list of ids in that column.", nameof(declaration));
        CheckFitsCriteoShape(declaration);
        bool identity = declaration.DenseFeatures == CriteoSchema.DenseFeatures
            && declaration.TableCount == CriteoSchema.CategoricalFeatures
            && declaration.Tables.All(t => t.Column == t.Index);
        return identity ? null : new ColumnProjection(declaration.DenseFeatures, declaration.Tables.Select(t => t.Column).ToArray());
    }

    /// <summary>Throws unless the model's dense features and token columns fit Criteo-shaped rows (13 dense values, 26
    /// categorical columns): what synthetic rows, single- or multi-hot, can feed.</summary>
    internal static void CheckFitsCriteoShape(ModelDeclaration declaration)
    {
        if (declaration.DenseFeatures > CriteoSchema.DenseFeatures)
            throw new ArgumentException($"{declaration.Name} wants {declaration.DenseFeatures} dense features; Criteo rows have {CriteoSchema.DenseFeatures}.", nameof(declaration));
        foreach (EmbeddingTable t in declaration.Tables)
            if (t.Column >= CriteoSchema.CategoricalFeatures)
                throw new ArgumentException($"Table {t.Name} of {declaration.Name} reads categorical column {t.Column}; Criteo rows have columns 0..{CriteoSchema.CategoricalFeatures - 1}.", nameof(declaration));
    }

    /// <summary>A batch shaped for the model, to project into (allocate once, reuse).</summary>
    public Batch CreateTarget(int capacity) => new(capacity, _dense, _columns.Length);

    /// <summary>Copies the model's columns of <paramref name="source"/> into <paramref name="target"/>.</summary>
    public void Project(Batch source, Batch target)
    {
        int rows = source.Count;
        if (target.Capacity < rows) throw new ArgumentException($"The target batch holds {target.Capacity} rows; the source has {rows}.", nameof(target));
        source.Labels.AsSpan(0, rows).CopyTo(target.Labels);
        int srcDense = source.DenseFeatures, srcTables = source.Tables, tables = _columns.Length;
        for (int r = 0; r < rows; r++)
        {
            source.Dense.AsSpan(r * srcDense, _dense).CopyTo(target.Dense.AsSpan(r * _dense, _dense));
            for (int t = 0; t < tables; t++)
                target.Tokens[r * tables + t] = source.Tokens[r * srcTables + _columns[t]];
        }
        target.Count = rows;
    }
}
