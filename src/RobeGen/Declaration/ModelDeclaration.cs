using System.Collections.Immutable;

namespace RobeGen;

/// <summary>
/// Everything a declaration says about a model, resolved at compile time by the generator and
/// exposed by the generated <c>Declaration</c> property. Sizes derived from it are computed here once.
/// </summary>
public sealed class ModelDeclaration
{
    /// <summary>Called by generated code with the values the generator resolved; <paramref name="denseColumns"/> default means the Criteo layout.</summary>
    public ModelDeclaration(
        string name,
        int denseFeatures,
        int embeddingDim,
        ImmutableArray<int> bottomMlp,
        ImmutableArray<int> topMlp,
        TokenKind tokens,
        long robeSlots,
        int blockSize,
        RobeVariant variant,
        ImmutableArray<EmbeddingTable> tables,
        string fingerprint,
        string? labelColumn = null,
        ImmutableArray<DenseColumn> denseColumns = default)
        : this(name, denseFeatures, embeddingDim, bottomMlp, topMlp, tokens, robeSlots, blockSize, variant, tables, fingerprint,
            InteractionKind.Dot, crossLayers: 0, crossRank: 0, labelColumn, denseColumns)
    {
    }

    /// <summary>A declaration with its interaction (what the generator emits for a Cat or DcnV2 model); columns as above.</summary>
    public ModelDeclaration(
        string name,
        int denseFeatures,
        int embeddingDim,
        ImmutableArray<int> bottomMlp,
        ImmutableArray<int> topMlp,
        TokenKind tokens,
        long robeSlots,
        int blockSize,
        RobeVariant variant,
        ImmutableArray<EmbeddingTable> tables,
        string fingerprint,
        InteractionKind interaction,
        int crossLayers,
        int crossRank,
        string? labelColumn = null,
        ImmutableArray<DenseColumn> denseColumns = default)
    {
        Name = name;
        DenseFeatures = denseFeatures;
        EmbeddingDim = embeddingDim;
        BottomMlp = bottomMlp;
        TopMlp = topMlp;
        Tokens = tokens;
        RobeSlots = robeSlots;
        BlockSize = blockSize;
        Variant = variant;
        Tables = tables;
        Fingerprint = fingerprint;
        LabelColumn = labelColumn ?? CriteoLabel;
        NamedColumns = !denseColumns.IsDefault;
        DenseColumns = NamedColumns
            ? denseColumns
            : Enumerable.Range(1, denseFeatures).Select(i => new DenseColumn($"I{i}", DenseTransform.Log1p)).ToImmutableArray();
        if (DenseColumns.Length != denseFeatures)
            throw new ArgumentException($"{name} has {denseFeatures} dense features but {DenseColumns.Length} dense columns.", nameof(denseColumns));
        Interaction = interaction;
        CrossLayers = crossLayers;
        CrossRank = crossRank;
        // The generator reports these as RG0040-RG0042; a hand-built declaration gets the same rules here.
        bool valid = interaction switch
        {
            InteractionKind.Dot or InteractionKind.Cat => crossLayers == 0 && crossRank == 0,
            InteractionKind.DcnV2 => crossLayers >= 1 && crossRank >= 0 && crossRank <= ConcatWidth,
            _ => false,
        };
        if (!valid)
            throw new ArgumentException(
                $"{name}: Interaction = {interaction} with CrossLayers = {crossLayers} and CrossRank = {crossRank}; only DcnV2 has cross layers "
                + $"(at least 1, rank 0 for full or 1 to {ConcatWidth}).", nameof(interaction));
    }

    /// <summary>Name of the label column of the Criteo layout (and the default of every declaration).</summary>
    public const string CriteoLabel = "label";

    /// <summary>Full name of the declaring class.</summary>
    public string Name { get; }
    /// <summary>Dense inputs of the bottom MLP.</summary>
    public int DenseFeatures { get; }
    /// <summary>Width d of every embedding.</summary>
    public int EmbeddingDim { get; }
    /// <summary>Bottom MLP widths after the dense input; the last equals <see cref="EmbeddingDim"/>.</summary>
    public ImmutableArray<int> BottomMlp { get; }
    /// <summary>Top MLP hidden widths; the one-unit logit layer is not listed.</summary>
    public ImmutableArray<int> TopMlp { get; }
    /// <summary>What the tokens are: raw ids or vocabulary indices.</summary>
    public TokenKind Tokens { get; }
    /// <summary>Declared slot count m of the ROBE array.</summary>
    public long RobeSlots { get; }
    /// <summary>Declared block size Z.</summary>
    public int BlockSize { get; }
    /// <summary>The ROBE addressing formula.</summary>
    public RobeVariant Variant { get; }
    /// <summary>The tables in declaration order.</summary>
    public ImmutableArray<EmbeddingTable> Tables { get; }
    /// <summary>Name of the label column in the data.</summary>
    public string LabelColumn { get; }
    /// <summary>The dense inputs in order: named by the declaration, or I1..In (log1p) of the Criteo layout.</summary>
    public ImmutableArray<DenseColumn> DenseColumns { get; }
    /// <summary>
    /// True when the declaration names its columns ([Dense], [Categorical("name")]); false when it reads the Criteo
    /// layout by position (DenseFeatures, Column = n). Named models read any tabular file by column name.
    /// </summary>
    public bool NamedColumns { get; }
    /// <summary>Stable hash of the canonical declaration text: checkpoints of another declaration are refused by it.</summary>
    public string Fingerprint { get; }

    /// <summary>Number of tables.</summary>
    public int TableCount => Tables.Length;

    /// <summary>True when some table's cells are lists of ids (<see cref="EmbeddingTable.IsMultiHot"/>): the model's
    /// batches then hold bags (<see cref="Data.Batch.IsMultiHot"/>).</summary>
    public bool HasMultiHotTables => Tables.Any(t => t.IsMultiHot);

    /// <summary>Ids in one sample when every cell holds its table's <see cref="EmbeddingTable.Hotness"/> ids, as synthetic
    /// and benchmark batches do: <see cref="TableCount"/> for a single-hot model, 214 for MLPerf's multi-hot DLRM-DCNv2.</summary>
    public int IdsPerSample => Tables.Sum(t => t.Hotness);

    /// <summary>How the top MLP's input is formed from u and the embeddings.</summary>
    public InteractionKind Interaction { get; }
    /// <summary>Cross layers L of a DcnV2 model (0 otherwise).</summary>
    public int CrossLayers { get; }
    /// <summary>Rank r of the DcnV2 cross layers; 0 for full rank (and for other interactions).</summary>
    public int CrossRank { get; }

    /// <summary>Width D = d (T+1) of x0 = [u, E_1, .., E_T], the input of Cat's top MLP and of the cross layers.</summary>
    public int ConcatWidth => EmbeddingDim * InteractionVectors;

    /// <summary>Weights and biases of the DcnV2 cross layers: per layer 2 D r + D (low rank) or D^2 + D (full rank).</summary>
    public long CrossParameterCount => Interaction != InteractionKind.DcnV2 ? 0
        : (long)CrossLayers * ((CrossRank > 0 ? 2L * ConcatWidth * CrossRank : (long)ConcatWidth * ConcatWidth) + ConcatWidth);

    /// <summary>Vectors taking part in the dot interaction: the bottom MLP output and one embedding per table.</summary>
    public int InteractionVectors => TableCount + 1;

    /// <summary>Pairwise dots without self pairs.</summary>
    public int InteractionPairs => InteractionVectors * (InteractionVectors - 1) / 2;

    /// <summary>Width of the top MLP input: the bottom output and the pairwise dots (Dot), or <see cref="ConcatWidth"/> (Cat, DcnV2).</summary>
    public int TopInputWidth => Interaction == InteractionKind.Dot ? EmbeddingDim + InteractionPairs : ConcatWidth;

    /// <summary>Weights and biases of both MLPs (the logit layer included) and of the DcnV2 cross layers.</summary>
    public long MlpParameterCount
    {
        get
        {
            long count = 0;
            int fanIn = DenseFeatures;
            foreach (int width in BottomMlp) { count += (long)fanIn * width + width; fanIn = width; }
            fanIn = TopInputWidth;
            foreach (int width in TopMlp) { count += (long)fanIn * width + width; fanIn = width; }
            return count + fanIn + 1 + CrossParameterCount;
        }
    }

    /// <summary>Floats the uncompressed model would spend on embeddings: one d-wide row per token of every table.</summary>
    public long FullTableParameterCount => Tables.Sum(t => t.Cardinality) * EmbeddingDim;

    /// <summary>Sizes of this declaration with its declared embedding layout.</summary>
    public ModelSize DeclaredSize => EmbeddingLayout.FromDeclaration(this).Size;

    /// <summary>The declaration in a few lines (what robegen inspect prints).</summary>
    public override string ToString() => DeclarationText.Describe(this);
}

/// <summary>Parameter counts and bytes of a model under one embedding layout.</summary>
public readonly record struct ModelSize(long EmbeddingParameters, long MlpParameters, long FullTableEmbeddingParameters)
{
    /// <summary>Embedding and MLP parameters.</summary>
    public long Parameters => EmbeddingParameters + MlpParameters;
    /// <summary>Bytes of the parameters as 32-bit floats.</summary>
    public long Bytes => Parameters * sizeof(float);
    /// <summary>Bytes of the embedding parameters.</summary>
    public long EmbeddingBytes => EmbeddingParameters * sizeof(float);
    /// <summary>Full tables' embedding floats over this layout's embedding floats (0 when the full size is unknown).</summary>
    public double CompressionRatio => EmbeddingParameters == 0 ? 0 : (double)FullTableEmbeddingParameters / EmbeddingParameters;
}
