using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends;
using RobeGen.Models;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Embedding;

/// <summary>
/// The hashing and row arithmetic the kernels call (RobeHash, SignHash, TableRows: hand-written runtime code in another
/// assembly than a model's generated kernels) is inlined by ILGPU: every kernel compiled to PTX for an SM 8.0 GPU, with
/// the context settings of the CUDA backend (GpuDevice), holds a single .entry and no .func and no call. No GPU is
/// needed: ILGPU's PTX backend compiles without a device. A control with inlining disabled shows the check can fail.
/// </summary>
public sealed class KernelInliningTests
{
    private static readonly Regex CallInstruction = new(@"^\s*(@!?%p\d+\s+)?call(\.uni)?\b", RegexOptions.Multiline);

    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (string kernel in KernelMethods.Keys) data.Add(kernel);
        return data;
    }

    /// <summary>The generated kernels of models of every storage kind and variant, and the generic kernels.</summary>
    private static readonly Dictionary<string, MethodInfo> KernelMethods = new[]
        {
            typeof(SmallAuthors.GpuEmbedding), typeof(SmallCircular.GpuEmbedding), typeof(SmallSigned.GpuEmbedding),
            typeof(SmallQr.GpuEmbedding), typeof(WideSigned.GpuEmbedding), typeof(CriteoKaggle.GpuEmbedding), typeof(CriteoTerabyte.GpuEmbedding),
            typeof(GenericGpuEmbeddingKernels),
        }
        .SelectMany(type => new[] { "GatherKernel", "ScatterAtomicKernel" }.Select(name =>
            type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!))
        .ToDictionary(method => method.DeclaringType!.FullName!.Replace('+', '.') + "." + method.Name);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void A_kernel_compiles_to_PTX_without_calls(string kernel)
    {
        string ptx = CompileToPtx(KernelMethods[kernel], InliningMode.Default);
        Assert.Single(Regex.Matches(ptx, @"^\.visible \.entry", RegexOptions.Multiline));
        Assert.DoesNotContain(".func", ptx);
        Assert.Empty(CallInstruction.Matches(ptx));
    }

    [Fact]
    public void Without_inlining_the_same_check_finds_the_calls()
    {
        string ptx = CompileToPtx(KernelMethods[typeof(SmallAuthors.GpuEmbedding).FullName!.Replace('+', '.') + ".GatherKernel"], InliningMode.Disabled);
        Assert.Contains(".func", ptx);
        Assert.NotEmpty(CallInstruction.Matches(ptx));
    }

    private static string CompileToPtx(MethodInfo kernel, InliningMode inlining) => Cuda.PtxCompiler.Compile(kernel, inlining);
}
