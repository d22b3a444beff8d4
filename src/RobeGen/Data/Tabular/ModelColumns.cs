namespace RobeGen.Data.Tabular;

/// <summary>How a categorical cell becomes a token.</summary>
internal enum TokenRule
{
    /// <summary>The Criteo layout: up to 8 hex digits, the 32-bit id itself (as the TSV reader reads it).</summary>
    CriteoHex = 0,
    /// <summary>A user's column: a decimal integer in [0, 2^32) is its own id; any other text is its 32-bit XxHash32.</summary>
    Text = 1,
}

/// <summary>
/// The columns a model reads from a tabular file, in the order of its batches: the label, the dense inputs (each with
/// its transform) and one categorical column per table. Built from a declaration: its own names, or the Criteo layout's.
/// </summary>
internal sealed class ModelColumns
{
    private readonly DenseTransform[] _transforms;
    private readonly double[] _means;
    private readonly double[] _inverseStdDevs;

    private ModelColumns(ModelDeclaration declaration, DenseStatistics? statistics)
    {
        Label = declaration.LabelColumn;
        Dense = declaration.DenseColumns.Select(c => c.Name).ToArray();
        Categorical = declaration.Tables.Select(t => t.ColumnName).ToArray();
        MultiHot = declaration.Tables.Select(t => t.IsMultiHot).ToArray();
        HasMultiHot = MultiHot.Contains(true);
        Pooling = declaration.Tables.Select(t => t.Pooling).ToArray();
        Tokens = declaration.NamedColumns ? TokenRule.Text : TokenRule.CriteoHex;
        _transforms = declaration.DenseColumns.Select(c => c.Transform).ToArray();
        _means = new double[Dense.Length];
        _inverseStdDevs = new double[Dense.Length];
        for (int i = 0; i < Dense.Length; i++)
        {
            if (_transforms[i] != DenseTransform.Standardize) continue;
            if (statistics is null)
            {
                _transforms[i] = RawValue;
                continue;
            }
            (double mean, double std) = statistics[Dense[i]];
            (_means[i], _inverseStdDevs[i]) = (mean, 1 / std);
        }
    }

    public string Label { get; }
    public string[] Dense { get; }
    public string[] Categorical { get; }
    /// <summary>Per table: true when its cells are lists of ids (batches then hold bags for every table).</summary>
    public bool[] MultiHot { get; }
    /// <summary>True when some table is multi-hot.</summary>
    public bool HasMultiHot { get; }
    /// <summary>Per table: its declared pooling (for messages).</summary>
    public Pooling[] Pooling { get; }
    public TokenRule Tokens { get; }

    /// <summary>The columns of <paramref name="declaration"/>; <paramref name="statistics"/> must cover its standardized columns.</summary>
    public static ModelColumns For(ModelDeclaration declaration, DenseStatistics statistics) => new(declaration, statistics);

    /// <summary>The columns as read to measure statistics: a standardized column's raw value, NaN where it is missing.</summary>
    public static ModelColumns Raw(ModelDeclaration declaration) => new(declaration, null);

    /// <summary>Not a declared transform: the raw value with NaN for a missing one (only <see cref="Raw"/> uses it).</summary>
    private const DenseTransform RawValue = (DenseTransform)(-1);

    /// <summary>The dense columns that <see cref="DenseTransform.Standardize"/> needs statistics for.</summary>
    public static IReadOnlyList<string> Standardized(ModelDeclaration declaration) =>
        declaration.DenseColumns.Where(c => c.Transform == DenseTransform.Standardize).Select(c => c.Name).ToArray();

    /// <summary>The model input of dense column <paramref name="index"/>: the transformed value, 0 for a missing one.</summary>
    public float DenseInput(int index, double value, bool missing)
    {
        if (missing) return _transforms[index] == RawValue ? float.NaN : 0f;
        return _transforms[index] switch
        {
            // The formula of the Criteo TSV reader (CriteoLineParser.Log1p), so both readers give the same floats.
            DenseTransform.Log1p => value > 0 ? (float)Math.Log(1.0 + value) : 0f,
            DenseTransform.Standardize => (float)((value - _means[index]) * _inverseStdDevs[index]),
            _ => (float)value,
        };
    }
}
