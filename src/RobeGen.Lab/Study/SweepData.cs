using RobeGen.Data;
using RobeGen.Metrics;
using RobeGen.Synthetic;
using RobeGen.Training;

namespace RobeGen.Lab.Study;

/// <summary>Training and evaluation data of a sweep, shaped per model, with what the compression ratio is measured against.</summary>
internal abstract class SweepData
{
    /// <summary>The training rows as read (26 token columns in Criteo order): what a vocabulary is counted over.</summary>
    public abstract ITrainingData RawTrain { get; }

    /// <summary>Training rows shaped for <paramref name="declaration"/>, ids as <paramref name="model"/> takes them (mapped by its
    /// vocabulary, or given as indices).</summary>
    public abstract ITrainingData Train(ModelDeclaration declaration, NewModel model);

    /// <summary>Evaluation rows shaped for <paramref name="declaration"/>, ids as <paramref name="model"/> takes them.</summary>
    public abstract ITrainingData Eval(ModelDeclaration declaration, NewModel model);

    /// <summary>Rows of each full table the ratios are taken against (null: the declared cardinalities).</summary>
    public virtual IReadOnlyList<long>? FullRows(ModelDeclaration declaration) => null;

    /// <summary>The best achievable metrics on <paramref name="declaration"/>'s evaluation rows, where the data has a known teacher.</summary>
    public virtual EvaluationMetrics? Teacher(ModelDeclaration declaration) => null;

    public abstract string Description { get; }

    /// <summary>Criteo TSV files: compression against the declaration's cardinalities (the full tables of the real data set).</summary>
    public static SweepData FromFiles(IReadOnlyList<string> train, IReadOnlyList<string> eval, CriteoReaderOptions? options = null) =>
        new Files(new CriteoTrainingData(train, CriteoLayout.Labeled, options), new CriteoTrainingData(eval, CriteoLayout.Labeled, options));

    /// <summary>
    /// Synthetic rows 0..trainRows-1 for training and evaluation rows from <see cref="SyntheticTrainingData.EvaluationRowBase"/>:
    /// compression against the synthetic cardinalities; the teacher is measured on the evaluation rows.
    /// </summary>
    public static SweepData FromSynthetic(SyntheticGenerator generator, long trainRows, long evalRows) =>
        new Synthetic(new SyntheticTrainingData(generator, 0, trainRows), new SyntheticTrainingData(generator, SyntheticTrainingData.EvaluationRowBase, evalRows));

    private sealed class Files(CriteoTrainingData train, CriteoTrainingData eval) : SweepData
    {
        public override ITrainingData RawTrain => train;
        public override ITrainingData Train(ModelDeclaration declaration, NewModel model) => train.ForModel(declaration).WithVocabulary(model.Mapper);
        public override ITrainingData Eval(ModelDeclaration declaration, NewModel model) => eval.ForModel(declaration).WithVocabulary(model.Mapper);
        public override string Description => $"train {train.Description}; eval {eval.Description}";
    }

    private sealed class Synthetic(SyntheticTrainingData train, SyntheticTrainingData eval) : SweepData
    {
        private (ModelDeclaration Declaration, EvaluationMetrics Metrics)? _teacher;

        public override ITrainingData RawTrain => train;
        public override ITrainingData Train(ModelDeclaration declaration, NewModel model) => Shaped(train, declaration, model);
        public override ITrainingData Eval(ModelDeclaration declaration, NewModel model) => Shaped(eval, declaration, model);

        private static SyntheticTrainingData Shaped(SyntheticTrainingData rows, ModelDeclaration declaration, NewModel model) =>
            model.SyntheticIndices ? rows.ForModel(declaration).ForIndices() : rows.ForModel(declaration).WithVocabulary(model.Mapper);

        public override IReadOnlyList<long> FullRows(ModelDeclaration declaration) =>
            declaration.Tables.Select(t => train.Generator.Spec.Cardinalities[t.Column]).ToArray();

        // Scored on the model's own rows: a multi-hot model's are drawn as bags, with labels of their own.
        public override EvaluationMetrics Teacher(ModelDeclaration declaration)
        {
            if (_teacher is not { } known || known.Declaration != declaration)
                _teacher = known = (declaration, TeacherQuality.Measure(eval.ForModel(declaration).Generator, eval.FirstRow, eval.Rows));
            return known.Metrics;
        }

        public override string Description => $"train {train.Description}; eval {eval.Description}";
    }
}
