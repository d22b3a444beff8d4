namespace RobeGen.Backends;

/// <summary>Which optimizer updates the parameters.</summary>
public enum OptimizerKind
{
    /// <summary>Plain SGD with the step's learning rate (the paper's setup): w -= lr * g.</summary>
    Sgd = 0,
    /// <summary>Adagrad as PyTorch defines it: G += g^2; w -= lr * g / (sqrt(G) + 1e-10). Sparse for the embeddings.</summary>
    Adagrad = 1,
}

/// <summary>Where the model runs.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when a driver and GPU are present, else the CPU (with a notice).</summary>
    Auto = 0,
    Cpu = 1,
    Cuda = 2,
}

/// <summary>Arithmetic of the MLPs when predicting (training is always FP32).</summary>
public enum InferencePrecision
{
    /// <summary>FP32 throughout, the same arithmetic as training.</summary>
    Fp32 = 0,
    /// <summary>
    /// CPU only: the MLP layers with at least 32 inputs (all but the first bottom layer and the logit layer of the
    /// stock models) multiply 7-bit activations (per-row scale and zero point, quantized per batch) by 8-bit weights
    /// (per-output scale, quantized once per weights version) in integer arithmetic; docs/model-math.md has the math.
    /// </summary>
    Int8 = 1,
}

/// <summary>Run-time choices for building a model from a declaration.</summary>
public sealed record ModelOptions
{
    /// <summary>Seed of the initialization: the same seed gives bit-identical initial parameters.</summary>
    public int Seed { get; init; } = 1;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    public DeviceKind Device { get; init; } = DeviceKind.Cpu;
    /// <summary>Changes to the declared embedding layout (slots, block size, storage, rows).</summary>
    public EmbeddingOverrides Embedding { get; init; } = EmbeddingOverrides.None;
    /// <summary>CPU worker threads (0 = all cores).</summary>
    public int Threads { get; init; }
    /// <summary>Largest batch the model will see (buffers are sized for it once).</summary>
    public int MaxBatchSize { get; init; } = 2048;
    /// <summary>GPU only: reduce the embedding gradient by sort-and-segment (same result every run) instead of float atomics.</summary>
    public bool DeterministicGradients { get; init; }
    /// <summary>GPU only: let cuBLAS use TF32 tensor cores for the MLP GEMMs (FP32 otherwise).</summary>
    public bool AllowTf32 { get; init; }
    /// <summary>Arithmetic of predictions (Predict, eval, serving); <see cref="InferencePrecision.Int8"/> is CPU only.</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Fp32;
}
