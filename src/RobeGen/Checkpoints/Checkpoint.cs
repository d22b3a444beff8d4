using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Checkpoints;

/// <summary>
/// Everything needed to continue or serve a training run: which declaration it belongs to, the run's
/// hyperparameters, how far training got (step, epoch, data position) and every tensor of the model.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Full name of the declaring class (for messages; the fingerprint decides compatibility).</summary>
    public required string DeclarationName { get; init; }
    /// <summary><see cref="ModelDeclaration.Fingerprint"/> of the declaration that wrote the checkpoint.</summary>
    public required string Fingerprint { get; init; }
    /// <summary>Run settings as text (optimizer, learning rate, storage, slots, block size, seed, batch size, ...).</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; init; }
    /// <summary>Passes over the training files completed before <see cref="DataPosition"/>.</summary>
    public int Epoch { get; init; }
    /// <summary>Where the next training batch starts.</summary>
    public DataPosition DataPosition { get; init; }
    /// <summary>
    /// Parameters and optimizer state, in the model's order. Empty in the checkpoint of a model that
    /// <see cref="ModelCheckpoint.Load(string, IDlrmDefinition, ModelOptions?)"/> loaded into a backend that streams its
    /// state (CUDA): its tensors went from the file to the device without a host copy.
    /// </summary>
    public required ModelState State { get; init; }
    /// <summary>Vocabularies of Full tables (or of every column for vocabulary tokens); empty when raw ids are used.</summary>
    public IReadOnlyList<NamedIds> Vocabularies { get; init; } = [];

    /// <summary>This checkpoint's fields with <paramref name="state"/> as its tensors.</summary>
    internal Checkpoint WithState(ModelState state) => new()
    {
        DeclarationName = DeclarationName,
        Fingerprint = Fingerprint,
        Hyperparameters = Hyperparameters,
        Step = Step,
        Epoch = Epoch,
        DataPosition = DataPosition,
        State = state,
        Vocabularies = Vocabularies,
    };

    /// <summary>Creates the header fields from a declaration.</summary>
    public static Checkpoint For(ModelDeclaration declaration, ModelState state) =>
        new() { DeclarationName = declaration.Name, Fingerprint = declaration.Fingerprint, State = state };
}
