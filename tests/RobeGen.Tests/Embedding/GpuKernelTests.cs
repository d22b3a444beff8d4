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
/// The generated ILGPU kernels, run on ILGPU's CPU accelerator (no GPU needed), against the generated CPU loops:
/// the gather must give exactly the same embeddings and block starts, the atomic scatter the same gradient up to
/// float rounding (atomics add in any order).
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public sealed class GpuKernelTests : IClassFixture<CpuAcceleratorFixture>
{
    private const int Batch = 4;
    private const long Unwritten = -7;
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
    public void Kernels_match_the_cpu_loops(string modelName, string layoutName, int warpSize)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        AssertKernelsMatchCpuLoops(_fixture.WithWarp(warpSize), model, EmbeddingCases.Layout(model, layoutName));
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
    public void QuotientRemainder_kernels_match_the_cpu_loops(string layoutName, int warpSize) =>
        AssertKernelsMatchCpuLoops(_fixture.WithWarp(warpSize), Models.SmallQr.Definition, QuotientRemainderTests.Layout(layoutName));

    /// <summary>Gather and atomic scatter on the accelerator against the generated CPU loops on the same random inputs.</summary>
    private static void AssertKernelsMatchCpuLoops(Accelerator accelerator, IDlrmDefinition model, EmbeddingLayout layout)
    {
        int tables = layout.TableCount, d = layout.Dim, records = Batch * tables * layout.MaxBlocks;
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 11);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 12);
        float[] gradOutput = EmbeddingCases.Floats(Batch * tables * d, seed: 13);

        var cpuStarts = Enumerable.Repeat(Unwritten, records).ToArray();
        var cpuOutput = new float[Batch * tables * d];
        var cpuGrad = new float[layout.TotalParameters];
        model.Embedding.Gather(layout, weights, tokens, Batch, cpuStarts, cpuOutput);
        model.Embedding.ScatterGradient(layout, weights, tokens, cpuStarts, Batch, gradOutput, cpuGrad);

        using var storage = accelerator.Allocate1D(layout.Storage.Select(s => (int)s).ToArray());
        using var rows = accelerator.Allocate1D(layout.Rows.ToArray());
        using var quotientRows = accelerator.Allocate1D(layout.QuotientRows.ToArray());
        using var tableBase = accelerator.Allocate1D(layout.TableBase.ToArray());
        using var weightBuffer = accelerator.Allocate1D(weights);
        using var tokenBuffer = accelerator.Allocate1D(tokens);
        using var startBuffer = accelerator.Allocate1D(Enumerable.Repeat(Unwritten, records).ToArray());
        using var outputBuffer = accelerator.Allocate1D<float>(Batch * tables * d);
        using var gradOutputBuffer = accelerator.Allocate1D(gradOutput);
        using var gradBuffer = accelerator.Allocate1D<float>(layout.TotalParameters);
        gradBuffer.MemSetToZero();
        var views = new GpuTableViews(storage.View, rows.View, quotientRows.View, tableBase.View);
        var args = GpuEmbeddingArgs.For(layout, Batch);

        var gather = model.GpuEmbedding.LoadGather(accelerator);
        var scatter = model.GpuEmbedding.LoadScatterAtomic(accelerator);
        // The kernels' own extent; block starts are still one record per block.
        int threads = Batch * tables * model.GpuEmbedding.ThreadsPerLookup;
        gather(threads, args, views, weightBuffer.View, tokenBuffer.View, startBuffer.View, outputBuffer.View);
        scatter(threads, args, views, weightBuffer.View, tokenBuffer.View, startBuffer.View, gradOutputBuffer.View, gradBuffer.View);
        accelerator.Synchronize();

        Assert.Equal(cpuStarts, startBuffer.GetAsArray1D());
        Assert.Equal(cpuOutput, outputBuffer.GetAsArray1D());
        float[] gpuGrad = gradBuffer.GetAsArray1D();
        for (long i = 0; i < cpuGrad.Length; i++)
            Assert.True(Math.Abs(cpuGrad[i] - gpuGrad[i]) <= 1e-5f * (1 + Math.Abs(cpuGrad[i])), $"slot {i}: cpu {cpuGrad[i]}, gpu {gpuGrad[i]}");
    }

    [Fact]
    public void A_Full_token_out_of_range_reads_zeros_and_records_minus_one()
    {
        IDlrmDefinition model = EmbeddingCases.Model(nameof(Models.SmallAuthors));
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        int tables = layout.TableCount, d = layout.Dim, records = tables * layout.MaxBlocks;
        using var storage = _accelerator.Allocate1D(layout.Storage.Select(s => (int)s).ToArray());
        using var rows = _accelerator.Allocate1D(layout.Rows.ToArray());
        using var quotientRows = _accelerator.Allocate1D(layout.QuotientRows.ToArray());
        using var tableBase = _accelerator.Allocate1D(layout.TableBase.ToArray());
        using var weightBuffer = _accelerator.Allocate1D(Enumerable.Repeat(1f, (int)layout.TotalParameters).ToArray());
        using var tokenBuffer = _accelerator.Allocate1D(new ulong[] { 1, 50, 2, 3 }); // Full1 has 50 rows
        using var startBuffer = _accelerator.Allocate1D<long>(records);
        using var outputBuffer = _accelerator.Allocate1D<float>(tables * d);
        var views = new GpuTableViews(storage.View, rows.View, quotientRows.View, tableBase.View);
        model.GpuEmbedding.LoadGather(_accelerator)(tables * d, GpuEmbeddingArgs.For(layout, 1), views,
            weightBuffer.View, tokenBuffer.View, startBuffer.View, outputBuffer.View);
        _accelerator.Synchronize();
        float[] output = outputBuffer.GetAsArray1D();
        Assert.Equal(-1, startBuffer.GetAsArray1D()[1 * layout.MaxBlocks]);
        Assert.All(output.AsSpan(d, d).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(output.AsSpan(0, d).ToArray(), v => Assert.Equal(1f, v));
    }
}
