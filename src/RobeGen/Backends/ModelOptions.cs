using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
    /// <summary>Plain C# on the CPU (SIMD, all cores).</summary>
    Cpu = 1,
    /// <summary>An NVIDIA GPU through CUDA (ILGPU kernels, cuBLAS).</summary>
    Cuda = 2,
}

/// <summary>Arithmetic of the MLPs and the interaction (the ROBE array, optimizer state and master weights stay FP32).</summary>
public enum Precision
{
    /// <summary>FP32 throughout (the default): the same arithmetic on both backends.</summary>
    Fp32 = 0,
    /// <summary>
    /// CPU inference only: the MLP layers with at least 32 inputs (all but the first bottom layer and the logit layer of the
    /// stock models) multiply 7-bit activations (per-row scale and zero point, quantized per batch) by 8-bit weights
    /// (per-output scale, quantized once per weights version) in integer arithmetic; training stays FP32. docs/model-math.md
    /// has the math.
    /// </summary>
    Int8 = 1,
    /// <summary>CUDA only: FP32 tensors, GEMMs on the tensor cores in TF32 (10-bit mantissa products, FP32 sums).</summary>
    Tf32 = 2,
    /// <summary>
    /// CUDA only, training and inference: MLP activations and weight copies in bfloat16 on the tensor cores (FP32 sums),
    /// FP32 master weights, optimizer state, ROBE array, logits and loss; docs/model-math.md has the math.
    /// </summary>
    Bf16 = 3,
}

/// <summary>Run-time choices for building a model from a declaration.</summary>
public sealed record ModelOptions
{
    /// <summary>Seed of the initialization: the same seed gives bit-identical initial parameters.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>How parameters are updated: SGD or Adagrad.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    /// <summary>Where the model runs.</summary>
    public DeviceKind Device { get; init; } = DeviceKind.Cpu;
    /// <summary>Changes to the declared embedding layout (slots, block size, storage, rows).</summary>
    public EmbeddingOverrides Embedding { get; init; } = EmbeddingOverrides.None;
    /// <summary>CPU worker threads (0 = all cores).</summary>
    public int Threads { get; init; }
    /// <summary>Largest batch the model will see (buffers are sized for it once).</summary>
    public int MaxBatchSize { get; init; } = 2048;
    /// <summary>
    /// Where the library reports what a user may want to know (for example that <see cref="DeviceKind.Auto"/> found no GPU
    /// and runs on the CPU); nothing by default. The library never writes to the console.
    /// </summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
    /// <summary>GPU only: the same embedding gradient bits every run (fixed-point integer sums for ROBE arrays, sorted sums for
    /// Full, Hashed and QuotientRemainder tables; docs/cuda.md) instead of float atomics, whose order varies.</summary>
    public bool DeterministicGradients { get; init; }
    /// <summary>Arithmetic of the MLPs: FP32 (default), TF32 or BF16 on CUDA, Int8 for CPU predictions.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
}
