namespace RobeGen.Data;

/// <summary>
/// Training data whose batches depend on what is learned from the training data itself: the vocabulary of the tables
/// that take vocabulary indices (Full tables, vocabulary-token models) and the statistics of standardized dense columns.
/// The trainer fits what is missing when training starts and hands it to checkpoints, so a user never builds either.
/// </summary>
public interface IFittedData : ITrainingData
{
    /// <summary>The mapper applied to every batch; null when none is set.</summary>
    VocabularyMapper? Vocabulary { get; }

    /// <summary>The statistics the dense columns are standardized with (<see cref="DenseStatistics.None"/> when none is).</summary>
    DenseStatistics Statistics { get; }

    /// <summary>
    /// Counts the ids of the data's token columns (one pass) and keeps those seen <paramref name="minCount"/> times; a data
    /// column in <paramref name="maxIds"/> keeps at most that many, the most frequent (the others share row 0).
    /// </summary>
    Vocabulary BuildVocabulary(long minCount, IReadOnlyDictionary<int, long>? maxIds = null);

    /// <summary>The same data with <paramref name="mapper"/> applied to every batch.</summary>
    IFittedData WithVocabulary(VocabularyMapper? mapper);
}
