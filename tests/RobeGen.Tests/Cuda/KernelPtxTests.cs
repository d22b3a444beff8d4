using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using RobeGen.Cuda.Kernels;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// Every hand-written CUDA kernel compiles to PTX (no GPU needed). The tests run the kernels on ILGPU's CPU accelerator,
/// which executes them as .NET code and so accepts what the PTX backend may refuse: a kernel that only a GPU machine would
/// find broken would cost a device call. A kernel is a public static void method of RobeGen.Cuda.Kernels whose first
/// parameter is its index (implicitly grouped) or whose parameters are all views and values (explicitly grouped).
/// </summary>
public sealed class KernelPtxTests
{
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (string name in KernelMethods.Keys) data.Add(name);
        return data;
    }

    private static readonly Dictionary<string, (MethodInfo Method, bool Explicit)> KernelMethods = typeof(DlrmKernelSet).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(DlrmKernelSet).Namespace && t.IsAbstract && t.IsSealed) // static classes
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(m => m.ReturnType == typeof(void) && m.GetParameters().Length > 0 && !m.IsGenericMethodDefinition
            && m.GetParameters().All(p => !p.ParameterType.IsByRef)
            && m.GetParameters().Any(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(ArrayView<>)))
        .ToDictionary(m => $"{m.DeclaringType!.Name}.{m.Name}({m.GetParameters().Length})",
            m => (m, m.GetParameters()[0].ParameterType != typeof(Index1D) && m.GetParameters()[0].ParameterType != typeof(Index2D)));

    [Theory]
    [MemberData(nameof(Kernels))]
    public void A_kernel_compiles_to_ptx(string kernel)
    {
        var (method, explicitlyGrouped) = KernelMethods[kernel];
        string ptx = PtxCompiler.Compile(method, explicitlyGrouped: explicitlyGrouped);
        Assert.Contains(".entry", ptx);
    }

    public static TheoryData<string> BagKernels()
    {
        var data = new TheoryData<string>();
        foreach (string name in BagKernelMethods.Keys) data.Add(name);
        return data;
    }

    /// <summary>The multi-hot gathers and scatters: generated for the MLPerf DLRM-DCNv2 and for test models of each ROBE
    /// variant, and the generic ones (the single-hot ones are KernelInliningTests').</summary>
    private static readonly Dictionary<string, MethodInfo> BagKernelMethods = new[]
        {
            typeof(RobeGen.Models.CriteoTerabyteDcnV2MultiHot.GpuEmbedding), typeof(Models.MultiHotAuthors.GpuEmbedding),
            typeof(Models.MultiHotSigned.GpuEmbedding), typeof(Models.MultiHotCircular.GpuEmbedding), typeof(GenericGpuEmbeddingKernels),
        }
        .SelectMany(type => new[] { "GatherBagsKernel", "ScatterBagsAtomicKernel" }.Select(name =>
            type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!))
        .ToDictionary(method => method.DeclaringType!.FullName!.Replace('+', '.') + "." + method.Name);

    [Theory]
    [MemberData(nameof(BagKernels))]
    public void A_bag_kernel_compiles_to_ptx(string kernel) => Assert.Contains(".entry", PtxCompiler.Compile(BagKernelMethods[kernel]));

    [Fact]
    public void The_list_holds_the_kernels_of_every_phase()
    {
        Assert.True(KernelMethods.Count >= 20, $"{KernelMethods.Count} kernels: {string.Join(", ", KernelMethods.Keys)}");
        Assert.Contains(KernelMethods.Keys, k => k.StartsWith("DeterministicGradientKernels.FixedPointScatter", StringComparison.Ordinal));
        Assert.Contains(KernelMethods.Keys, k => k.StartsWith("LossKernels.MeanReduce", StringComparison.Ordinal));
    }
}
