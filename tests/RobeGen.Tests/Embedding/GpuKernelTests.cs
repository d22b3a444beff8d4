using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace RobeGen.Tests.Embedding;

/// <summary>
/// ILGPU CPU accelerators for all kernel tests (creating them is the slow part): the default one simulates warps of 4
/// lanes, too few for a lookup's lanes, so the generated kernels take their per-lane hashing path; the Nvidia-like one
/// simulates CUDA's 32-lane warps, so they take the warp-shuffle path the GPU runs.
/// </summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    public CpuAcceleratorFixture()
    {
        Context = Context.Create(builder => builder.CPU(CPUDeviceKind.Default).CPU(CPUDeviceKind.Nvidia));
        Accelerator = Context.CreateCPUAccelerator(0);
        Warp32 = Context.CreateCPUAccelerator(1);
    }

    public Context Context { get; }
    public Accelerator Accelerator { get; }
    public Accelerator Warp32 { get; }

    /// <summary>The accelerator whose simulated warps have <paramref name="warpSize"/> lanes.</summary>
    public Accelerator WithWarp(int warpSize) => new[] { Accelerator, Warp32 }.Single(a => a.WarpSize == warpSize);

    public void Dispose()
    {
        Warp32.Dispose();
        Accelerator.Dispose();
        Context.Dispose();
    }
}

/// <summary>
/// The ILGPU kernels, run on ILGPU's CPU accelerator (no GPU needed), against the CPU loops: the generated kernels on
/// the declared layouts, the generic ones on run-time overrides (as <see cref="EmbeddingKernelSelector"/> picks them) and
/// on the declared layouts too. The gather must give exactly the same embeddings and block starts, the atomic scatter
/// the same gradient up to float rounding (atomics add in any order).
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public sealed class GpuKernelTests : IClassFixture<CpuAcceleratorFixture>
{
    private const int Batch = 4;
    private const long Unwritten = -7;
    private const float Padding = -12345f;
    private readonly CpuAcceleratorFixture _fixture;
    private readonly Accelerator _accelerator;

    public GpuKernelTests(CpuAcceleratorFixture fixture)
    {
        _fixture = fixture;
        _accelerator = fixture.Accelerator;
    }

    /// <summary>Every embedding case on 4-lane and on 32-lane simulated warps.</summary>
    public static TheoryData<string, string, int> CasesByWarp()
    {
        var data = new TheoryData<string, string, int>();
        foreach (object[] row in EmbeddingCases.All())
            foreach (int warp in new[] { 4, 32 })
                data.Add((string)row[0], (string)row[1], warp);
        return data;
    }

    [Theory]
    [MemberData(nameof(CasesByWarp))]
    public void Selected_kernels_match_the_cpu_loops(string modelName, string layoutName, int warpSize)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, layoutName);
        IGpuEmbeddingKernels kernels = EmbeddingKernelSelector.Gpu(model, layout);
        // A layout of the declared storage and Z runs the generated kernels, every other one the generic ones.
        Assert.Equal(layout.MatchesDeclaredKernels, ReferenceEquals(kernels, model.GpuEmbedding));
        Assert.Equal(!layout.MatchesDeclaredKernels, kernels is GenericGpuEmbeddingKernels);
        AssertKernelsMatchCpuLoops(_fixture.WithWarp(warpSize), model, layout, kernels);
    }

    /// <summary>Declared layouts of every storage and variant, for the generic kernels.</summary>
    public static TheoryData<string, int> DeclaredModelsByWarp()
    {
        var data = new TheoryData<string, int>();
        foreach (string model in EmbeddingCases.DeclaredModels())
            foreach (int warp in new[] { 4, 32 })
                data.Add(model, warp);
        return data;
    }

    [Theory]
    [MemberData(nameof(DeclaredModelsByWarp))]
    public void Generic_kernels_match_the_declared_cpu_loops(string modelName, int warpSize)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        Assert.True(layout.MatchesDeclaredKernels);
        AssertKernelsMatchCpuLoops(_fixture.WithWarp(warpSize), model, layout, new GenericGpuEmbeddingKernels(layout));
    }

    /// <summary>QuotientRemainder tables (declared, beside ROBE and Full ones, and every table at run time) on both simulated warps.</summary>
    public static TheoryData<string, int> QuotientRemainderCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string layout in new[] { "declared", "z=3", "all-qr" })
            foreach (int warp in new[] { 4, 32 })
                data.Add(layout, warp);
        return data;
    }

    [Theory]
    [MemberData(nameof(QuotientRemainderCases))]
    public void QuotientRemainder_kernels_match_the_cpu_loops(string layoutName, int warpSize)
    {
        EmbeddingLayout layout = QuotientRemainderTests.Layout(layoutName);
        AssertKernelsMatchCpuLoops(_fixture.WithWarp(warpSize), Models.SmallQr.Definition, layout, EmbeddingKernelSelector.Gpu(Models.SmallQr.Definition, layout));
    }

    /// <summary>
    /// A wider output row (OutputStride > T * d, OutputOffset > 0), as the interaction's input would be: the gather
    /// writes each embedding at sample * stride + offset + table * d and nothing else, the scatter reads dL/dE from
    /// there (NaN in the padding would poison any gradient that read it).
    /// </summary>
    [Theory]
    [InlineData(nameof(Models.SmallAuthors), false, 32)]
    [InlineData(nameof(Models.SmallAuthors), true, 32)]
    [InlineData(nameof(Models.SmallSigned), false, 4)]
    [InlineData(nameof(Models.SmallQr), false, 32)]
    [InlineData(nameof(Models.SmallQr), true, 4)]
    [InlineData(nameof(Models.WideSigned), false, 32)]
    [InlineData(nameof(RobeGen.Models.CriteoKaggle), false, 32)]
    public void A_strided_output_is_written_and_read_in_place(string modelName, bool generic, int warpSize)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        IGpuEmbeddingKernels kernels = generic ? new GenericGpuEmbeddingKernels(layout) : model.GpuEmbedding;
        AssertKernelsMatchCpuLoops(_fixture.WithWarp(warpSize), model, layout, kernels, outputOffset: layout.Dim + 3, outputPadding: layout.Dim + 5);
    }

    /// <summary>
    /// Gather and atomic scatter on the accelerator against the CPU loops on the same random inputs. The kernels' output
    /// rows are <paramref name="outputPadding"/> floats wider than T * d, the embeddings <paramref name="outputOffset"/>
    /// floats into them.
    /// </summary>
    private static void AssertKernelsMatchCpuLoops(Accelerator accelerator, IDlrmDefinition model, EmbeddingLayout layout, IGpuEmbeddingKernels kernels,
        int outputOffset = 0, int outputPadding = 0)
    {
        int tables = layout.TableCount, d = layout.Dim, records = Batch * tables * layout.MaxBlocks;
        int stride = tables * d + outputPadding;
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 11);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 12);
        float[] gradOutput = EmbeddingCases.Floats(Batch * tables * d, seed: 13);

        var cpuStarts = Enumerable.Repeat(Unwritten, records).ToArray();
        var cpuOutput = new float[Batch * tables * d];
        var cpuGrad = new float[layout.TotalParameters];
        model.Embedding.Gather(layout, weights, tokens, Batch, cpuStarts, cpuOutput);
        model.Embedding.ScatterGradient(layout, weights, tokens, cpuStarts, Batch, gradOutput, cpuGrad);

        using var tableArrays = new GpuTables(accelerator, layout);
        using var weightBuffer = accelerator.Allocate1D(weights);
        using var tokenBuffer = accelerator.Allocate1D(tokens);
        using var startBuffer = accelerator.Allocate1D(Enumerable.Repeat(Unwritten, records).ToArray());
        using var outputBuffer = accelerator.Allocate1D(Enumerable.Repeat(Padding, Batch * stride).ToArray());
        using var gradOutputBuffer = accelerator.Allocate1D(Strided(gradOutput, tables * d, stride, outputOffset, float.NaN));
        using var gradBuffer = accelerator.Allocate1D<float>(layout.TotalParameters);
        gradBuffer.MemSetToZero();
        var args = GpuEmbeddingArgs.For(layout, Batch);
        Assert.Equal(tables * d, args.OutputStride);
        Assert.Equal(0, args.OutputOffset);
        args.OutputStride = stride;
        args.OutputOffset = outputOffset;

        var gather = kernels.LoadGather(accelerator);
        var scatter = kernels.LoadScatterAtomic(accelerator);
        // The kernels' own extent; block starts are still one record per block.
        int threads = Batch * tables * kernels.ThreadsPerLookup;
        gather(threads, args, tableArrays.Views, weightBuffer.View, tokenBuffer.View, startBuffer.View, outputBuffer.View);
        scatter(threads, args, tableArrays.Views, weightBuffer.View, tokenBuffer.View, startBuffer.View, gradOutputBuffer.View, gradBuffer.View);
        accelerator.Synchronize();

        Assert.Equal(cpuStarts, startBuffer.GetAsArray1D());
        Assert.Equal(Strided(cpuOutput, tables * d, stride, outputOffset, Padding), outputBuffer.GetAsArray1D());
        float[] gpuGrad = gradBuffer.GetAsArray1D();
        for (long i = 0; i < cpuGrad.Length; i++)
            Assert.True(Math.Abs(cpuGrad[i] - gpuGrad[i]) <= 1e-5f * (1 + Math.Abs(cpuGrad[i])), $"slot {i}: cpu {cpuGrad[i]}, gpu {gpuGrad[i]}");
    }

    /// <summary>Dense rows of <paramref name="width"/> floats placed <paramref name="offset"/> into rows of <paramref name="stride"/>, the rest <paramref name="padding"/>.</summary>
    private static float[] Strided(float[] dense, int width, int stride, int offset, float padding)
    {
        int rows = dense.Length / width;
        var strided = Enumerable.Repeat(padding, rows * stride).ToArray();
        for (int r = 0; r < rows; r++) Array.Copy(dense, r * width, strided, r * stride + offset, width);
        return strided;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_Full_token_out_of_range_reads_zeros_and_records_minus_one(bool generic)
    {
        IDlrmDefinition model = EmbeddingCases.Model(nameof(Models.SmallAuthors));
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        IGpuEmbeddingKernels kernels = generic ? new GenericGpuEmbeddingKernels(layout) : model.GpuEmbedding;
        int tables = layout.TableCount, d = layout.Dim, records = tables * layout.MaxBlocks;
        using var tableArrays = new GpuTables(_accelerator, layout);
        using var weightBuffer = _accelerator.Allocate1D(Enumerable.Repeat(1f, (int)layout.TotalParameters).ToArray());
        using var tokenBuffer = _accelerator.Allocate1D(new ulong[] { 1, 50, 2, 3 }); // Full1 has 50 rows
        using var startBuffer = _accelerator.Allocate1D<long>(records);
        using var outputBuffer = _accelerator.Allocate1D<float>(tables * d);
        kernels.LoadGather(_accelerator)(tables * kernels.ThreadsPerLookup, GpuEmbeddingArgs.For(layout, 1), tableArrays.Views,
            weightBuffer.View, tokenBuffer.View, startBuffer.View, outputBuffer.View);
        _accelerator.Synchronize();
        float[] output = outputBuffer.GetAsArray1D();
        Assert.Equal(-1, startBuffer.GetAsArray1D()[1 * layout.MaxBlocks]);
        Assert.All(output.AsSpan(d, d).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(output.AsSpan(0, d).ToArray(), v => Assert.Equal(1f, v));
    }

    /// <summary>A prediction's gather (ForwardOnly) reads the same embeddings to the bit as a training step's and leaves
    /// every block-start record as it was (the warp-shuffle path on 32-lane warps, per-lane hashing on 4).</summary>
    [Theory]
    [InlineData(nameof(Models.SmallAuthors), false, 32)]
    [InlineData(nameof(Models.SmallAuthors), false, 4)]
    [InlineData(nameof(Models.SmallAuthors), true, 32)]
    [InlineData(nameof(Models.SmallQr), false, 32)]
    [InlineData(nameof(Models.SmallQr), true, 4)]
    [InlineData(nameof(Models.SmallSigned), false, 32)]
    public void A_forward_only_gather_reads_the_same_and_records_nothing(string modelName, bool generic, int warpSize)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        IGpuEmbeddingKernels kernels = generic ? new GenericGpuEmbeddingKernels(layout) : model.GpuEmbedding;
        Accelerator accelerator = _fixture.WithWarp(warpSize);
        int tables = layout.TableCount, d = layout.Dim, records = Batch * tables * layout.MaxBlocks;
        using var tableArrays = new GpuTables(accelerator, layout);
        using var weightBuffer = accelerator.Allocate1D(EmbeddingCases.Floats(layout.TotalParameters, seed: 31));
        using var tokenBuffer = accelerator.Allocate1D(EmbeddingCases.Tokens(layout, Batch, seed: 32));
        using var trainingStarts = accelerator.Allocate1D(Enumerable.Repeat(Unwritten, records).ToArray());
        using var forwardStarts = accelerator.Allocate1D(Enumerable.Repeat(Unwritten, records).ToArray());
        using var trainingOutput = accelerator.Allocate1D<float>(Batch * tables * d);
        using var forwardOutput = accelerator.Allocate1D<float>(Batch * tables * d);
        var gather = kernels.LoadGather(accelerator);
        var args = GpuEmbeddingArgs.For(layout, Batch);
        int threads = Batch * tables * kernels.ThreadsPerLookup;
        gather(threads, args, tableArrays.Views, weightBuffer.View, tokenBuffer.View, trainingStarts.View, trainingOutput.View);
        args.ForwardOnly = 1;
        gather(threads, args, tableArrays.Views, weightBuffer.View, tokenBuffer.View, forwardStarts.View, forwardOutput.View);
        accelerator.Synchronize();

        Assert.Equal(trainingOutput.GetAsArray1D(), forwardOutput.GetAsArray1D());
        Assert.All(forwardStarts.GetAsArray1D(), start => Assert.Equal(Unwritten, start));
        Assert.DoesNotContain(Unwritten, trainingStarts.GetAsArray1D().Where((_, i) => i % layout.MaxBlocks == 0));
    }

    [Fact]
    public void The_generic_kernels_take_the_generated_lane_count()
    {
        foreach (string name in EmbeddingCases.DeclaredModels())
        {
            IDlrmDefinition model = EmbeddingCases.Model(name);
            Assert.Equal(model.GpuEmbedding.ThreadsPerLookup, new GenericGpuEmbeddingKernels(EmbeddingCases.Layout(model, "declared")).ThreadsPerLookup);
        }
    }
}
