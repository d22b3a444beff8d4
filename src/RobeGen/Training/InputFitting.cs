using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Training;

/// <summary>What a run learned from its training data before the first step: a vocabulary and dense statistics.</summary>
/// <param name="Vocabulary">The vocabulary built for the model's Full tables (or vocabulary tokens); null when none was built.</param>
/// <param name="Statistics">The statistics the standardized dense columns use.</param>
public sealed record FittedInputs(Vocabulary? Vocabulary, DenseStatistics Statistics)
{
    /// <summary>Nothing fitted.</summary>
    public static FittedInputs None { get; } = new(null, DenseStatistics.None);
}

/// <summary>
/// Fits what the training data needs before training starts: when the model has tables that take vocabulary indices and
/// the data maps none yet, the vocabulary over the training data, applied to training and evaluation data alike. Each
/// table keeps the ids it has rows for, the most frequent first (row 0 takes the rest: missing, rare and unseen ids).
/// The user never builds it; checkpoints of the run store it.
/// </summary>
internal static class InputFitting
{
    public static (ITrainingData Train, ITrainingData? Eval, FittedInputs Inputs) Fit(IDlrmBackend model, ITrainingData train, ITrainingData? eval)
    {
        if (train is not IFittedData data) return (train, eval, FittedInputs.None);
        if (!model.Layout.TakesVocabularyIndices || data.Vocabulary is not null) return (train, eval, new FittedInputs(null, data.Statistics));
        Vocabulary vocabulary = data.BuildVocabulary(minCount: 1, MaxIds(model.Layout));
        VocabularyMapper mapper = VocabularyMapper.For(vocabulary, model.Layout)!;
        ITrainingData? mappedEval = eval is IFittedData { Vocabulary: null } e ? e.WithVocabulary(mapper) : eval;
        return (data.WithVocabulary(mapper), mappedEval, new FittedInputs(vocabulary, data.Statistics));
    }

    /// <summary>Per data column, the ids its table has rows for besides row 0: a Full table's rows, else the declared cardinality.</summary>
    private static Dictionary<int, long> MaxIds(EmbeddingLayout layout)
    {
        var max = new Dictionary<int, long>();
        for (int t = 0; t < layout.TableCount; t++)
        {
            EmbeddingTable table = layout.Declaration.Tables[t];
            long rows = layout.Storage[t] == EmbeddingStorage.Full ? layout.Rows[t] : table.Cardinality;
            if (rows > 0) max[table.Column] = rows - 1;
        }
        return max;
    }
}
