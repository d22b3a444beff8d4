namespace RobeGen;

/// <summary>
/// Declares a DLRM click-through model on a <c>partial class</c>. The RobeGen source generator
/// reads this attribute (and <see cref="RobeArrayAttribute"/> and the <see cref="CategoricalAttribute"/>
/// properties) at compile time and emits the model's layout constants, hashes and kernels.
/// </summary>
/// <remarks>
/// A model names the columns of its data: the label (<see cref="Label"/>), the dense features (one
/// <see cref="DenseAttribute"/> each, in input order) and the categorical features (<see cref="CategoricalAttribute"/>
/// with a column name). A declaration that names no column uses the built-in Criteo layout instead: label, I1..I13
/// (log1p), C1..C26, chosen by <see cref="DenseFeatures"/> and <see cref="CategoricalAttribute.Column"/>.
/// </remarks>
/// <example>
/// <code>
/// [Dlrm(Label = "clicked", EmbeddingDim = 16, BottomMlp = new[] { 64, 16 }, TopMlp = new[] { 64 })]
/// [Dense("price", Transform = DenseTransform.Log1p)]
/// [Dense("age", Transform = DenseTransform.Standardize)]
/// [RobeArray(Slots = 100_000, BlockSize = 4)]
/// public partial class MyModel
/// {
///     [Categorical("user_id", Cardinality = 1_000_000)] public partial EmbeddingTable User { get; }
///     [Categorical("country", Cardinality = 200, Storage = EmbeddingStorage.Full)] public partial EmbeddingTable Country { get; }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class DlrmAttribute : Attribute
{
    /// <summary>
    /// Number of dense (numeric) input features fed to the bottom MLP. With <see cref="DenseAttribute"/> columns it may
    /// be left out (they count); without, it takes the first of the Criteo layout's I1..I13.
    /// </summary>
    public int DenseFeatures { get; set; }

    /// <summary>Name of the label column (0/1 or false/true) in the data; "label" when not set.</summary>
    public string? Label { get; set; }

    /// <summary>Width d of every embedding vector (and of the bottom MLP's output).</summary>
    public int EmbeddingDim { get; set; }

    /// <summary>Layer widths of the bottom MLP after the dense input; the last must equal <see cref="EmbeddingDim"/>.</summary>
    public int[] BottomMlp { get; set; } = Array.Empty<int>();

    /// <summary>Hidden layer widths of the top MLP; a one-unit logit layer (sigmoid) always follows them.</summary>
    public int[] TopMlp { get; set; } = Array.Empty<int>();

    /// <summary>What the token of a categorical column is: a vocabulary index or a raw 64-bit id.</summary>
    public TokenKind Tokens { get; set; } = TokenKind.RawId;

    /// <summary>How the top MLP's input is formed: <see cref="InteractionKind.Dot"/> (the default), Cat or DcnV2.</summary>
    public InteractionKind Interaction { get; set; } = InteractionKind.Dot;

    /// <summary>Cross layers L of a <see cref="InteractionKind.DcnV2"/> model (at least 1); only with DcnV2.</summary>
    public int CrossLayers { get; set; }

    /// <summary>Rank r of each DcnV2 cross layer (U [D, r], V [r, D]), 0 for full-rank W [D, D]; at most D = d (T+1). Only with DcnV2.</summary>
    public int CrossRank { get; set; }
}

/// <summary>
/// The shared ROBE array that every <see cref="EmbeddingStorage.Robe"/> table of the model reads.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class RobeArrayAttribute : Attribute
{
    /// <summary>Number of float slots m of the array (the declared default; a run may override it).</summary>
    public long Slots { get; set; }

    /// <summary>Block size Z: consecutive coordinates read as one block at a hashed offset.</summary>
    public int BlockSize { get; set; } = 1;

    /// <summary>Which ROBE-Z formula to use; <see cref="RobeVariant.Authors"/> matches the paper's code bit for bit.</summary>
    public RobeVariant Variant { get; set; } = RobeVariant.Authors;
}

/// <summary>
/// One dense (numeric) input column of the model, by name; the class's [Dense] attributes in source order are the
/// bottom MLP's inputs. A missing value (an empty cell or null) reads as 0 after the transform.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares the dense column <paramref name="columnName"/>.</summary>
    public DenseAttribute(string columnName) => ColumnName = columnName;

    /// <summary>The column's name in the data (a header field of a CSV file, a Parquet column).</summary>
    public string ColumnName { get; }

    /// <summary>How the raw value becomes the model's input; <see cref="DenseTransform.None"/> by default.</summary>
    public DenseTransform Transform { get; set; } = DenseTransform.None;
}

/// <summary>Marks a <c>partial</c> property of type <see cref="EmbeddingTable"/> as one categorical input column.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class CategoricalAttribute : Attribute
{
    /// <summary>A column of the built-in Criteo layout, chosen by <see cref="Column"/>.</summary>
    public CategoricalAttribute() { }

    /// <summary>The categorical column <paramref name="columnName"/> of the user's data.</summary>
    public CategoricalAttribute(string columnName) => ColumnName = columnName;

    /// <summary>The column's name in the data; null for a column of the Criteo layout (<see cref="Column"/>).</summary>
    public string? ColumnName { get; }

    /// <summary>Zero-based index of a categorical column of the Criteo layout (C1 is column 0, C26 column 25).</summary>
    public int Column { get; set; } = -1;

    /// <summary>Number of distinct tokens of the column (the full table's row count); 0 when unknown.</summary>
    public long Cardinality { get; set; }

    /// <summary>How the table's embeddings are stored.</summary>
    public EmbeddingStorage Storage { get; set; } = EmbeddingStorage.Robe;

    /// <summary>
    /// Row count of a <see cref="EmbeddingStorage.Hashed"/> table (tokens are taken mod this), or the remainder table's
    /// rows R of a <see cref="EmbeddingStorage.QuotientRemainder"/> table (1 &lt;= R &lt;= Cardinality; the quotient
    /// table gets ceil(Cardinality / R) rows).
    /// </summary>
    public long Rows { get; set; }

    /// <summary>
    /// How a multi-hot cell (a list of ids: a Parquet list, or a delimited list in a text cell) is pooled into one
    /// embedding: <see cref="RobeGen.Pooling.Sum"/> or <see cref="RobeGen.Pooling.Mean"/>; <see cref="RobeGen.Pooling.None"/>
    /// (the default) for a column of one id per cell. Only named columns ([Categorical("name")]) can be multi-hot.
    /// </summary>
    public Pooling Pooling { get; set; } = Pooling.None;

    /// <summary>Ids per cell of a multi-hot table that synthetic data and benchmarks use (MLPerf DLRM-DCNv2's per-feature
    /// hotness); at least 1. Real data may hold any number per cell, an empty list included.</summary>
    public int Hotness { get; set; } = 1;
}
