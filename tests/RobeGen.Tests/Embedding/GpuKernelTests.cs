using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace RobeGen.Tests.Embedding;

/// <summary>One ILGPU CPU accelerator for all kernel tests (creating it is the slow part).</summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    public CpuAcceleratorFixture()
    {
        Context = Context.Create(builder => builder.CPU());
        Accelerator = Context.CreateCPUAccelerator(0);
    }

    public Context Context { get; }
    public Accelerator Accelerator { get; }

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}

/// <summary>
/// The generated ILGPU kernels, run on ILGPU's CPU accelerator (no GPU needed), against the generated CPU loops:
/// the gather must give exactly the same embeddings and block starts, the atomic scatter the same gradient up to
/// float rounding (atomics add in any order).
/// </summary>
public sealed class GpuKernelTests : IClassFixture<CpuAcceleratorFixture>
{
    private const int Batch = 4;
    private const long Unwritten = -7;
    private readonly Accelerator _accelerator;

    public GpuKernelTests(CpuAcceleratorFixture fixture) => _accelerator = fixture.Accelerator;

    [Theory]
    [MemberData(nameof(EmbeddingCases.All), MemberType = typeof(EmbeddingCases))]
    public void Kernels_match_the_cpu_loops(string modelName, string layoutName)
    {
        IDlrmDefinition model = EmbeddingCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, layoutName);
        int tables = layout.TableCount, d = layout.Dim, records = Batch * tables * layout.MaxBlocks;
        ulong[] tokens = EmbeddingCases.Tokens(layout, Batch, seed: 11);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 12);
        float[] gradOutput = EmbeddingCases.Floats(Batch * tables * d, seed: 13);

        var cpuStarts = Enumerable.Repeat(Unwritten, records).ToArray();
        var cpuOutput = new float[Batch * tables * d];
        var cpuGrad = new float[layout.TotalParameters];
        model.Embedding.Gather(layout, weights, tokens, Batch, cpuStarts, cpuOutput);
        model.Embedding.ScatterGradient(layout, weights, tokens, cpuStarts, Batch, gradOutput, cpuGrad);

        using var storage = _accelerator.Allocate1D(layout.Storage.Select(s => (int)s).ToArray());
        using var rows = _accelerator.Allocate1D(layout.Rows.ToArray());
        using var quotientRows = _accelerator.Allocate1D(layout.QuotientRows.ToArray());
        using var tableBase = _accelerator.Allocate1D(layout.TableBase.ToArray());
        using var weightBuffer = _accelerator.Allocate1D(weights);
        using var tokenBuffer = _accelerator.Allocate1D(tokens);
        using var startBuffer = _accelerator.Allocate1D(Enumerable.Repeat(Unwritten, records).ToArray());
        using var outputBuffer = _accelerator.Allocate1D<float>(Batch * tables * d);
        using var gradOutputBuffer = _accelerator.Allocate1D(gradOutput);
        using var gradBuffer = _accelerator.Allocate1D<float>(layout.TotalParameters);
        gradBuffer.MemSetToZero();
        var views = new GpuTableViews(storage.View, rows.View, quotientRows.View, tableBase.View);
        var args = GpuEmbeddingArgs.For(layout, Batch);

        var gather = model.GpuEmbedding.LoadGather(_accelerator);
        var scatter = model.GpuEmbedding.LoadScatterAtomic(_accelerator);
        // One thread per coordinate (the interface's launch extent); block starts are still one record per block.
        int threads = Batch * tables * d;
        gather(threads, args, views, weightBuffer.View, tokenBuffer.View, startBuffer.View, outputBuffer.View);
        scatter(threads, args, views, tokenBuffer.View, startBuffer.View, gradOutputBuffer.View, gradBuffer.View);
        _accelerator.Synchronize();

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
