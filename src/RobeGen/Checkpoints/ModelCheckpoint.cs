using RobeGen.Backends;
using RobeGen.Data;
using RobeGen.Devices;
using RobeGen.Training;

namespace RobeGen.Checkpoints;

/// <summary>A model rebuilt from a checkpoint, with what it was saved with.</summary>
public sealed record LoadedModel(IDlrmDefinition Definition, IDlrmBackend Model, ModelOptions Options, Checkpoint Checkpoint, Vocabulary? Vocabulary)
{
    /// <summary>Where the saved run stood (to resume training exactly).</summary>
    public TrainingProgressState Progress => new(Checkpoint.Step, Checkpoint.Epoch, Checkpoint.DataPosition,
        long.TryParse(Checkpoint.Hyperparameters.GetValueOrDefault(ModelCheckpoint.RowsKey), out long rows) ? rows : 0);

    /// <summary>The statistics its standardized dense columns were trained with (saved as <c>extra: data.ResolvedStatistics.ToSettings()</c>).</summary>
    public DenseStatistics DenseStatistics => DenseStatistics.FromSettings(Checkpoint.Hyperparameters);

    /// <summary>Maps raw ids to vocabulary indices for the tables that need them (null when none does).</summary>
    public VocabularyMapper? CreateVocabularyMapper() => VocabularyMapper.For(Vocabulary, Model.Layout);
}

/// <summary>Saves a model and its run state as a checkpoint, and rebuilds a model from one.</summary>
public static class ModelCheckpoint
{
    internal const string RowsKey = "rows-seen";

    /// <summary>
    /// Writes <paramref name="model"/> (parameters and optimizer state), its settings and the run state atomically to
    /// <paramref name="path"/>. A model holding NaN or infinity is refused with <see cref="TrainingDivergedException"/>
    /// before anything is written, so a good checkpoint is never replaced by a diverged one.
    /// </summary>
    public static void Save(string path, IDlrmBackend model, ModelOptions options, TrainingProgressState progress,
        Vocabulary? vocabulary = null, IReadOnlyDictionary<string, string>? extra = null) =>
        Save(path, model, options, TrainingSnapshot.Take(model, progress), vocabulary, extra);

    /// <summary>
    /// Writes a snapshot the trainer took of <paramref name="model"/> (already checked finite: nothing is scanned again),
    /// with the model's settings, atomically to <paramref name="path"/>. A snapshot of a backend that streams its state
    /// (CUDA) is written from the device piece by piece through one small buffer, so it must be written before the model
    /// trains on. The vocabulary and dense statistics the run fitted (<see cref="TrainingSnapshot.Inputs"/>) are stored
    /// unless a vocabulary is given.
    /// </summary>
    public static void Save(string path, IDlrmBackend model, ModelOptions options, TrainingSnapshot snapshot,
        Vocabulary? vocabulary = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(snapshot);
        TrainingProgressState progress = snapshot.Progress;
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        Dictionary<string, string> settings = CheckpointSettings.From(options, model.Layout);
        settings[RowsKey] = progress.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (extra is not null) foreach ((string k, string v) in extra) settings.TryAdd(k, v);
        foreach ((string k, string v) in snapshot.Inputs.Statistics.ToSettings()) settings.TryAdd(k, v);
        vocabulary ??= snapshot.Inputs.Vocabulary;
        CheckpointFile.Save(path, new Checkpoint
        {
            DeclarationName = model.Declaration.Name,
            Fingerprint = model.Declaration.Fingerprint,
            Hyperparameters = settings,
            Step = progress.Step,
            Epoch = progress.Epoch,
            DataPosition = progress.Position,
            State = snapshot.State ?? new ModelState(), // the tensors come from snapshot.Tensors
            Vocabularies = vocabulary?.ToNamedIds() ?? [],
        }, snapshot.Tensors);
    }

    /// <summary>
    /// Loads <paramref name="path"/> and rebuilds its model, declared by <paramref name="definition"/>, on the device of
    /// <paramref name="runtime"/>. A checkpoint of another declaration, a truncated or damaged file is refused with a
    /// <see cref="CheckpointException"/>. On CUDA the tensors are uploaded piece by piece from the file, with no host copy
    /// (the returned <see cref="LoadedModel.Checkpoint"/>'s State is then empty).
    /// </summary>
    public static LoadedModel Load(string path, IDlrmDefinition definition, ModelOptions? runtime = null) =>
        Load(path, definition, runtime, CreateBackend);

    /// <param name="path">The checkpoint file.</param>
    /// <param name="definition">The model's definition.</param>
    /// <param name="runtime">Device and batch size.</param>
    /// <param name="create">Builds the backend (tests build CUDA ones on ILGPU's CPU accelerator, or fakes).</param>
    /// <param name="pieceLength">Floats per piece uploaded to a backend that streams its state.</param>
    internal static LoadedModel Load(string path, IDlrmDefinition definition, ModelOptions? runtime, Func<IDlrmDefinition, ModelOptions, IDlrmBackend> create,
        int pieceLength = IStreamedState.DefaultPieceLength)
    {
        ArgumentNullException.ThrowIfNull(definition);
        using CheckpointReader file = CheckpointFile.Open(path);
        CheckpointFile.RequireWrittenBy(path, file.Header, definition.Declaration);
        return Rebuild(file, definition, runtime ?? new ModelOptions(), create, pieceLength);
    }

    /// <summary>
    /// Loads <paramref name="path"/> with whichever of <paramref name="known"/> declares the model named in the file
    /// (for example <c>ModelCatalog.Builtin.Values</c>, the built-in models), as
    /// <see cref="Load(string, IDlrmDefinition, ModelOptions?)"/> does with one definition.
    /// </summary>
    public static LoadedModel Load(string path, IEnumerable<IDlrmDefinition> known, ModelOptions? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(known);
        using CheckpointReader file = CheckpointFile.Open(path);
        Checkpoint checkpoint = file.Header;
        IDlrmDefinition[] candidates = known.ToArray();
        IDlrmDefinition definition = Array.Find(candidates, d => d.Declaration.Name == checkpoint.DeclarationName)
            ?? throw new CheckpointException(path, $"it holds the model {checkpoint.DeclarationName}, which is not one of the known models " +
                $"({string.Join(", ", candidates.Select(d => d.Declaration.Name))}); load it from C# with its definition");
        if (definition.Declaration.Fingerprint != checkpoint.Fingerprint)
            throw new CheckpointException(path, $"it was written by another declaration of {checkpoint.DeclarationName} " +
                $"(fingerprint {checkpoint.Fingerprint}; this build's is {definition.Declaration.Fingerprint})");
        return Rebuild(file, definition, runtime ?? new ModelOptions(), CreateBackend, IStreamedState.DefaultPieceLength);
    }

    private static IDlrmBackend CreateBackend(IDlrmDefinition definition, ModelOptions options) => Dlrm.Create(definition, options);

    /// <summary>
    /// The model of a verified checkpoint, built with its saved settings on the device of <paramref name="runtime"/>, its
    /// tensors checked finite as they are read; the model is disposed when any of it fails.
    /// </summary>
    private static LoadedModel Rebuild(CheckpointReader file, IDlrmDefinition definition, ModelOptions runtime,
        Func<IDlrmDefinition, ModelOptions, IDlrmBackend> create, int pieceLength)
    {
        string path = file.Path;
        ModelOptions options = CheckpointSettings.ToModelOptions(path, file.Header, definition.Declaration, runtime);
        CheckpointSettings.CheckLayout(path, file.Tensors, definition.Declaration, options);
        IDlrmBackend model = create(definition, options);
        try
        {
            Checkpoint checkpoint = ReadTensors(file, model, pieceLength);
            ModelDeclaration declaration = definition.Declaration;
            // A named model's vocabulary has one column per table; a Criteo model's one per Criteo column.
            int columns = declaration.NamedColumns ? declaration.TableCount : CriteoSchema.CategoricalFeatures;
            Vocabulary? vocabulary = checkpoint.Vocabularies.Count > 0 ? Vocabulary.FromNamedIds(checkpoint.Vocabularies, columns) : null;
            return new LoadedModel(definition, model, options, checkpoint, vocabulary);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Puts the file's tensors into <paramref name="model"/>: streamed when it streams its state, else whole.</summary>
    private static Checkpoint ReadTensors(CheckpointReader file, IDlrmBackend model, int pieceLength)
    {
        try
        {
            return model is IStreamedState streamed ? Upload(file, streamed, pieceLength) : ImportWhole(file, model);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CheckpointException(file.Path, $"its tensors do not fit the model: {e.Message}", e);
        }
    }

    /// <summary>Reads every tensor to the host, checks it and imports it (a host backend holds its state there anyway).</summary>
    private static Checkpoint ImportWhole(CheckpointReader file, IDlrmBackend model)
    {
        ModelState state = file.ReadState(ChunkedFloats.MaxChunkLength);
        if (ParameterHealth.FirstNonFinite(state) is NonFiniteValue bad) throw Diverged(file.Path, bad);
        model.ImportState(state);
        return file.Header.WithState(state);
    }

    /// <summary>
    /// Uploads every tensor piece by piece through the model's one small buffer, checking each piece as it passes: the
    /// checkpoint returned holds no tensors (they are on the device only).
    /// </summary>
    private static Checkpoint Upload(CheckpointReader file, IStreamedState model, int pieceLength)
    {
        StateShapes.RequireFit(model.StateShape, file.Tensors, "state"); // before any value is replaced
        model.WriteState((name, start, values) =>
        {
            file.Read(name, start, values);
            long index = ParameterHealth.FirstNonFinite(values);
            if (index >= 0) throw Diverged(file.Path, new NonFiniteValue(name, start + index, values[(int)index]));
        }, pieceLength);
        return file.Header;
    }

    private static CheckpointException Diverged(string path, NonFiniteValue bad) =>
        new(path, $"tensor '{bad.Tensor}' holds {bad.Value} at element {bad.Index:N0}: the model had diverged when it was saved.");
}
