using RobeGen.Data;

namespace RobeGen.Backends;

/// <summary>
/// One DLRM (its parameters, activations and optimizer state) living on one device. The trainer,
/// evaluator and predictor drive a model only through this interface, so the same code runs on the
/// CPU and on CUDA.
/// </summary>
public interface IDlrmBackend : IDisposable
{
    /// <summary>Human-readable device name, e.g. "CPU (2 cores, AVX-512)" or "NVIDIA H100 80GB HBM3".</summary>
    string DeviceName { get; }

    /// <summary>The declaration of the model.</summary>
    ModelDeclaration Declaration { get; }
    /// <summary>Where every table's embeddings live in this run (the declared layout or its overrides).</summary>
    EmbeddingLayout Layout { get; }

    /// <summary>Forward, backward and one optimizer update on <paramref name="batch"/>; returns the mean BCE loss.</summary>
    float TrainStep(Batch batch, float learningRate);

    /// <summary>Click probabilities of the batch's rows into <paramref name="probabilities"/> (length >= batch.Count).</summary>
    void Predict(Batch batch, Span<float> probabilities);

    /// <summary>Copies every parameter and optimizer-state tensor out (for checkpoints and cross-backend checks).</summary>
    ModelState ExportState();

    /// <summary>Replaces every parameter and optimizer-state tensor; shapes must match.</summary>
    void ImportState(ModelState state);
}
