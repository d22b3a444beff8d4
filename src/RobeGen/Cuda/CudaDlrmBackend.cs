using ILGPU;
using ILGPU.Runtime;
using RobeGen.Backends;
using RobeGen.Cuda.Kernels;
using RobeGen.Data;

namespace RobeGen.Cuda;

/// <summary>
/// A DLRM living on a GPU: parameters, activations and optimizer state in device memory; MLP products on cuBLAS,
/// everything else in ILGPU kernels (the embedding ones generated per model). A training step queues its whole work
/// on one stream; the host waits only to read the loss (<see cref="TrainStep"/>), or not at all
/// (<see cref="EnqueueTrainStep"/> + <see cref="ReadMeanLoss"/>).
/// Not thread-safe: one caller at a time.
/// </summary>
internal sealed partial class CudaDlrmBackend : IDlrmBackend
{
    private readonly GpuDevice _device;
    private readonly bool _ownsDevice;
    private readonly DeviceMemory _memory;
    private readonly DlrmKernelSet _kernels;
    private readonly MlpPlan _mlp;
    private readonly InteractionShape _interaction;
    private readonly ConcatShape _concat;
    private readonly ModelOptions _options;
    private readonly BatchUploader _uploader;
    private readonly DeviceTensors _t;
    private readonly EmbeddingGradient _embeddingGradient;
    private readonly IGpuEmbeddingKernels _embeddingKernels;
    private readonly Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>> _gather;
    /// <summary>The bag gather (models with a multi-hot table, whose every batch travels as bags); null otherwise.</summary>
    private readonly Action<Index1D, GpuEmbeddingArgs, GpuTableViews, ArrayView<float>, ArrayView<int>, ArrayView<ulong>, ArrayView<long>, ArrayView<float>>? _gatherBags;
    private readonly PageLockedArray1D<float> _lossReadback;
    private bool _disposed;

    /// <summary>
    /// Builds the model on <paramref name="device"/> from <paramref name="initialState"/> (normally the shared seeded
    /// ModelInitializer's output). Compiles every kernel here, so the first step is not slowed by JIT.
    /// </summary>
    public CudaDlrmBackend(IDlrmDefinition definition, ModelOptions options, ModelState initialState, GpuDevice device, bool ownsDevice = false)
        : this(definition, options, initialState, device, ownsDevice, embeddingOnDevice: false)
    {
    }

    /// <summary>
    /// The model of <paramref name="options"/>' seed built on <paramref name="device"/> without a host copy of the
    /// embedding: the MLP and cross tensors come from ModelInitializer, the embedding is drawn in place by
    /// <see cref="EmbeddingInitKernel"/> (the same values, element for element) and its optimizer state zeroed on the device.
    /// So Full tables of any size the device holds start here. A model whose embedding (and Adagrad state) exceeds the
    /// device's free memory is refused with a <see cref="GpuOutOfMemoryException"/> before anything is allocated.
    /// </summary>
    public static CudaDlrmBackend CreateInitialized(IDlrmDefinition definition, ModelOptions options, GpuDevice device, bool ownsDevice = false)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        EmbeddingLayout layout = EmbeddingLayout.FromDeclaration(definition.Declaration, options.Embedding);
        ModelState dense = Initialization.ModelInitializer.Create(layout, options.Optimizer, options.Seed, includeEmbedding: false);
        return new CudaDlrmBackend(definition, options, dense, device, ownsDevice, embeddingOnDevice: true);
    }

    /// <summary>
    /// Refuses a layout whose embedding-sized buffers need more bytes than the device has free, naming both, before
    /// anything is allocated (a device that cannot tell its free memory is not checked): the embedding, plus its
    /// gradient unless the step fuses SGD into the scatter (SGD, atomic gradients, no QuotientRemainder table), plus the
    /// Adagrad accumulator.
    /// </summary>
    internal static void RequireDeviceMemory(EmbeddingLayout layout, ModelOptions options, long? freeBytes, string deviceName)
    {
        bool adagrad = options.Optimizer == OptimizerKind.Adagrad;
        bool fused = !adagrad && !options.DeterministicGradients && !layout.HasQuotientRemainder;
        int copies = 1 + (fused ? 0 : 1) + (adagrad ? 1 : 0);
        long bytes;
        try
        {
            bytes = checked(layout.TotalParameters * sizeof(float) * copies);
        }
        catch (OverflowException)
        {
            bytes = long.MaxValue;
        }
        if (freeBytes is long free && bytes > free)
            throw new GpuOutOfMemoryException(
                copies == 1 ? "embedding" : $"embedding, its gradient{(adagrad ? " and adagrad.embedding" : "")}", bytes, free, deviceName);
    }

    private CudaDlrmBackend(IDlrmDefinition definition, ModelOptions options, ModelState initialState, GpuDevice device, bool ownsDevice,
        bool embeddingOnDevice)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(initialState);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        _device = device;
        _ownsDevice = ownsDevice;
        _options = options;
        Declaration = definition.Declaration;
        Layout = EmbeddingLayout.FromDeclaration(Declaration, options.Embedding);
        _mlp = new MlpPlan(Declaration);
        _interaction = new InteractionShape(Declaration.EmbeddingDim, Declaration.TableCount);
        _concat = new ConcatShape(Declaration.EmbeddingDim, Declaration.TableCount);
        if (Declaration.BottomMlp.Length == 0 || Declaration.BottomMlp[^1] != Declaration.EmbeddingDim)
            throw new ArgumentException($"{Declaration.Name}: the bottom MLP must end in the embedding dim {Declaration.EmbeddingDim}.", nameof(definition));

        RequireDeviceMemory(Layout, options, device.FreeMemory, device.Name);
        device.Accelerator.Bind();
        _memory = new DeviceMemory(device);
        try
        {
            _kernels = new DlrmKernelSet(device.Accelerator);
            _embeddingKernels = EmbeddingKernelSelector.Gpu(definition, Layout);
            _gather = _embeddingKernels.LoadGather(device.Accelerator);
            if (Declaration.HasMultiHotTables) _gatherBags = _embeddingKernels.LoadGatherBags(device.Accelerator);
            _uploader = new BatchUploader(device, _memory, options.MaxBatchSize, Declaration, denseAsBf16: options.Precision == Precision.Bf16);
            _t = new DeviceTensors(_memory, Layout, _mlp, _interaction, options);
            _embeddingGradient = options.DeterministicGradients
                ? new DeterministicEmbeddingGradient(device, _memory, _kernels, _embeddingKernels, Layout, options.MaxBatchSize, _t, _uploader)
                : new AtomicEmbeddingGradient(device, _embeddingKernels, _t, _uploader);
            _lossReadback = device.Accelerator.AllocatePageLocked1D<float>(2);
            InitializeConstants();
            if (embeddingOnDevice)
            {
                Import(initialState, withEmbedding: false);
                DrawEmbedding(options.Seed);
            }
            else
                ImportState(initialState);
        }
        catch
        {
            _memory.Dispose();
            throw;
        }
    }

    public string DeviceName => _device.Name;
    public ModelDeclaration Declaration { get; }
    public EmbeddingLayout Layout { get; }
    /// <summary>The embedding kernels this backend runs (EmbeddingKernelSelector's choice for <see cref="Layout"/>).</summary>
    internal IGpuEmbeddingKernels EmbeddingKernels => _embeddingKernels;
    /// <summary>Device memory held by this model's buffers.</summary>
    public long DeviceBytes => _memory.AllocatedBytes;
    /// <summary>What runs the MLP products (cuBLAS version and precision, or the ILGPU reference GEMM).</summary>
    public string GemmName => _device.Gemm.Name;

    /// <inheritdoc/>
    public float TrainStep(Batch batch, float learningRate)
    {
        EnqueueTrainStep(batch, learningRate);
        return ReadLastLoss();
    }

    /// <summary>
    /// Queues forward, backward and update of <paramref name="batch"/> and returns without waiting for the device.
    /// The batch's arrays may be reused as soon as this returns (they were copied to staging memory).
    /// </summary>
    public void EnqueueTrainStep(Batch batch, float learningRate)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        UploadBatch(batch, withLabels: true);
        int rows = batch.Count;
        Forward(rows);
        LossAndGradient(rows);
        if (FusesEmbeddingSgd)
            BackwardAndSgdFused(rows, learningRate);
        else
        {
            Backward(rows);
            Update(rows, learningRate);
        }
        _uploader.Release();
        _stepsSinceLossRead++;
    }

    /// <summary>Queues the upload of <paramref name="batch"/> and makes room for its block-start records (a multi-hot batch
    /// has one per id).</summary>
    private void UploadBatch(Batch batch, bool withLabels)
    {
        _uploader.Upload(batch, withLabels);
        _t.BlockStarts.Ensure((long)_uploader.Records * Layout.MaxBlocks);
    }

    /// <summary>Waits for the device and returns the loss of the last queued step.</summary>
    public float ReadLastLoss() => ReadLossScalars()[0];

    /// <summary>Waits for the device; returns the mean of the losses of all steps since the previous call and restarts the mean.</summary>
    public float ReadMeanLoss()
    {
        float sum = ReadLossScalars()[1];
        int steps = _stepsSinceLossRead;
        _t.LossScalars.View.SubView(1, 1).MemSetToZero(_device.Stream);
        _stepsSinceLossRead = 0;
        return steps == 0 ? float.NaN : sum / steps;
    }

    private int _stepsSinceLossRead;

    private ReadOnlySpan<float> ReadLossScalars()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Accelerator.Bind();
        _t.LossScalars.View.CopyToPageLockedAsync(_device.Stream, _lossReadback);
        _device.Synchronize();
        return _lossReadback.Span;
    }

    /// <summary>Waits until everything queued so far has run (for timing).</summary>
    public void Synchronize()
    {
        _device.Accelerator.Bind();
        _device.Synchronize();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _device.Accelerator.Bind();
        _device.Synchronize();
        _embeddingGradient.Dispose();
        _uploader.Dispose();
        DisposeResultSlots();
        _lossReadback.Dispose();
        _memory.Dispose();
        if (_ownsDevice) _device.Dispose();
    }
}
