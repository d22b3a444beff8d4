using ILGPU;
using ILGPU.Runtime;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Embedding;

/// <summary>
/// The ILGPU bag kernels (generated on the declared layouts, generic on run-time overrides and on the declared layouts
/// too) on ILGPU's CPU accelerator against the CPU bag loops (which <see cref="MultiHotEmbeddingTests"/> checks against
/// the reference): the same pooled embeddings (to float rounding: a lane adds in id order like the CPU, but may fuse)
/// and block starts, the same gradient up to the atomics' order. Small batches: the accelerator is slow.
/// </summary>
[Trait("Tier", "Slow")] // kernels on ILGPU's CPU accelerator
public sealed class MultiHotGpuKernelTests(CpuAcceleratorFixture fixture) : IClassFixture<CpuAcceleratorFixture>
{
    private const int Batch = 3;
    private const float Padding = -12345f;

    public static TheoryData<string, string, bool, int> Cases()
    {
        var data = new TheoryData<string, string, bool, int>();
        foreach (string model in MultiHotCases.Models())
        {
            data.Add(model, "declared", false, 4);
            data.Add(model, "declared", false, 32);
            data.Add(model, "declared", true, 32);
        }
        data.Add(nameof(MultiHotAuthors), "z=3", true, 4);
        data.Add(nameof(MultiHotAuthors), "all-robe", true, 32);
        data.Add(nameof(MultiHotSigned), "all-hashed", true, 4);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bag_kernels_match_the_cpu_bag_loops(string modelName, string layoutName, bool generic, int warpSize)
    {
        IDlrmDefinition model = MultiHotCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, layoutName);
        IGpuEmbeddingKernels kernels = generic ? new GenericGpuEmbeddingKernels(layout) : EmbeddingKernelSelector.Gpu(model, layout);
        if (!generic) Assert.Same(model.GpuEmbedding, kernels);
        Accelerator accelerator = fixture.WithWarp(warpSize);
        int tables = layout.TableCount, d = layout.Dim, outputOffset = generic ? 0 : d + 3, stride = tables * d + (generic ? 0 : d + 5);
        var (offsets, ids) = MultiHotCases.Bags(layout, Batch, seed: 17);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 18);
        float[] gradOutput = EmbeddingCases.Floats(Batch * tables * d, seed: 19);

        var cpuStarts = new long[ids.Length * layout.MaxBlocks];
        var cpuOutput = new float[Batch * tables * d];
        var cpuGrad = new float[layout.TotalParameters];
        model.Embedding.GatherBags(layout, weights, offsets, ids, Batch, cpuStarts, cpuOutput);
        model.Embedding.ScatterBagGradient(layout, weights, offsets, ids, cpuStarts, Batch, gradOutput, cpuGrad);

        using var tableArrays = new GpuTables(accelerator, layout);
        using var weightBuffer = accelerator.Allocate1D(weights);
        using var offsetBuffer = accelerator.Allocate1D(offsets);
        using var idBuffer = accelerator.Allocate1D(ids.Length == 0 ? new ulong[1] : ids);
        using var startBuffer = accelerator.Allocate1D(new long[Math.Max(1, cpuStarts.Length)]);
        using var outputBuffer = accelerator.Allocate1D(Enumerable.Repeat(Padding, Batch * stride).ToArray());
        using var gradOutputBuffer = accelerator.Allocate1D(Strided(gradOutput, tables * d, stride, outputOffset, float.NaN));
        using var gradBuffer = accelerator.Allocate1D<float>(layout.TotalParameters);
        gradBuffer.MemSetToZero();
        var args = GpuEmbeddingArgs.For(layout, Batch);
        args.OutputStride = stride;
        args.OutputOffset = outputOffset;

        int threads = Batch * tables * kernels.ThreadsPerLookup;
        kernels.LoadGatherBags(accelerator)(threads, args, tableArrays.Views, weightBuffer.View, offsetBuffer.View, idBuffer.View, startBuffer.View, outputBuffer.View);
        kernels.LoadScatterBagsAtomic(accelerator)(threads, args, tableArrays.Views, weightBuffer.View, offsetBuffer.View, idBuffer.View, startBuffer.View,
            gradOutputBuffer.View, gradBuffer.View);
        accelerator.Synchronize();

        Assert.Equal(cpuStarts, startBuffer.GetAsArray1D().AsSpan(0, cpuStarts.Length).ToArray());
        MultiHotCases.AssertClose(Strided(cpuOutput, tables * d, stride, outputOffset, Padding), outputBuffer.GetAsArray1D(), 1e-6f, "output");
        MultiHotCases.AssertClose(cpuGrad, gradBuffer.GetAsArray1D(), 1e-5f, "grad");
    }

    /// <summary>
    /// The generated bag gather (sums in registers, ids in pairs) and the generic one (a coordinate's sum over the ids in a
    /// register) pool in id order from zero as the CPU loops do: on the CPU accelerator, which fuses nothing, the three
    /// give the same floats to the bit, and the same block starts.
    /// </summary>
    [Theory]
    [MemberData(nameof(ForwardOnlyCases))]
    public void The_bag_gathers_equal_the_cpu_bag_loops_to_the_bit(string modelName, bool generic, int warpSize)
    {
        IDlrmDefinition model = MultiHotCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        IGpuEmbeddingKernels kernels = generic ? new GenericGpuEmbeddingKernels(layout) : model.GpuEmbedding;
        Accelerator accelerator = fixture.WithWarp(warpSize);
        int tables = layout.TableCount, d = layout.Dim;
        // Bags up to 5 ids: both the paired ids and a last odd one.
        var (offsets, ids) = MultiHotCases.Bags(layout, Batch + 2, seed: 29);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 30);
        var cpuStarts = new long[ids.Length * layout.MaxBlocks];
        var cpuOutput = new float[(Batch + 2) * tables * d];
        model.Embedding.GatherBags(layout, weights, offsets, ids, Batch + 2, cpuStarts, cpuOutput);

        using var tableArrays = new GpuTables(accelerator, layout);
        using var weightBuffer = accelerator.Allocate1D(weights);
        using var offsetBuffer = accelerator.Allocate1D(offsets);
        using var idBuffer = accelerator.Allocate1D(ids.Length == 0 ? new ulong[1] : ids);
        using var startBuffer = accelerator.Allocate1D(new long[Math.Max(1, cpuStarts.Length)]);
        using var outputBuffer = accelerator.Allocate1D<float>(cpuOutput.Length);
        kernels.LoadGatherBags(accelerator)((Batch + 2) * tables * kernels.ThreadsPerLookup, GpuEmbeddingArgs.For(layout, Batch + 2), tableArrays.Views,
            weightBuffer.View, offsetBuffer.View, idBuffer.View, startBuffer.View, outputBuffer.View);
        accelerator.Synchronize();

        Assert.Equal(cpuStarts, startBuffer.GetAsArray1D().AsSpan(0, cpuStarts.Length).ToArray());
        Assert.Equal(cpuOutput, outputBuffer.GetAsArray1D());
    }

    public static TheoryData<string, bool, int> ForwardOnlyCases()
    {
        var data = new TheoryData<string, bool, int>();
        foreach (string model in MultiHotCases.Models())
            foreach (bool generic in new[] { false, true })
                foreach (int warp in new[] { 4, 32 })
                    data.Add(model, generic, warp);
        return data;
    }

    /// <summary>A prediction's bag gather (ForwardOnly) pools the same embeddings to the bit as a training step's and
    /// leaves every block-start record as it was.</summary>
    [Theory]
    [MemberData(nameof(ForwardOnlyCases))]
    public void A_forward_only_bag_gather_pools_the_same_and_records_nothing(string modelName, bool generic, int warpSize)
    {
        IDlrmDefinition model = MultiHotCases.Model(modelName);
        EmbeddingLayout layout = EmbeddingCases.Layout(model, "declared");
        IGpuEmbeddingKernels kernels = generic ? new GenericGpuEmbeddingKernels(layout) : model.GpuEmbedding;
        Accelerator accelerator = fixture.WithWarp(warpSize);
        int tables = layout.TableCount, d = layout.Dim;
        var (offsets, ids) = MultiHotCases.Bags(layout, Batch, seed: 23);
        float[] weights = EmbeddingCases.Floats(layout.TotalParameters, seed: 24);
        const long Unwritten = -7;
        int records = Math.Max(1, ids.Length * layout.MaxBlocks);

        using var tableArrays = new GpuTables(accelerator, layout);
        using var weightBuffer = accelerator.Allocate1D(weights);
        using var offsetBuffer = accelerator.Allocate1D(offsets);
        using var idBuffer = accelerator.Allocate1D(ids.Length == 0 ? new ulong[1] : ids);
        using var trainingStarts = accelerator.Allocate1D(Enumerable.Repeat(Unwritten, records).ToArray());
        using var forwardStarts = accelerator.Allocate1D(Enumerable.Repeat(Unwritten, records).ToArray());
        using var trainingOutput = accelerator.Allocate1D(Enumerable.Repeat(Padding, Batch * tables * d).ToArray());
        using var forwardOutput = accelerator.Allocate1D(Enumerable.Repeat(Padding, Batch * tables * d).ToArray());
        var gather = kernels.LoadGatherBags(accelerator);
        var args = GpuEmbeddingArgs.For(layout, Batch);
        Assert.Equal(0, args.ForwardOnly); // training records by default
        int threads = Batch * tables * kernels.ThreadsPerLookup;
        gather(threads, args, tableArrays.Views, weightBuffer.View, offsetBuffer.View, idBuffer.View, trainingStarts.View, trainingOutput.View);
        args.ForwardOnly = 1;
        gather(threads, args, tableArrays.Views, weightBuffer.View, offsetBuffer.View, idBuffer.View, forwardStarts.View, forwardOutput.View);
        accelerator.Synchronize();

        Assert.Equal(trainingOutput.GetAsArray1D(), forwardOutput.GetAsArray1D());
        Assert.All(forwardStarts.GetAsArray1D(), start => Assert.Equal(Unwritten, start));
        Assert.Contains(trainingStarts.GetAsArray1D(), start => start != Unwritten);
    }

    [Fact]
    public void A_single_hot_model_has_no_generated_bag_kernels()
    {
        Assert.Throws<NotSupportedException>(() => SmallAuthors.Definition.GpuEmbedding.LoadGatherBags(fixture.Accelerator));
    }

    private static float[] Strided(float[] dense, int width, int stride, int offset, float padding)
    {
        int rows = dense.Length / width;
        var strided = Enumerable.Repeat(padding, rows * stride).ToArray();
        for (int r = 0; r < rows; r++) Array.Copy(dense, r * width, strided, r * stride + offset, width);
        return strided;
    }
}
