using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// A kernel compiled to PTX as the CUDA backend compiles it (GpuDevice's context: EnableAlgorithms, O1), for an SM 8.0
/// GPU. No GPU is needed: ILGPU's PTX backend compiles without a device, so tests can read what a kernel becomes.
/// </summary>
internal static class PtxCompiler
{
    public static string Compile(MethodInfo kernel, InliningMode inlining = InliningMode.Default, bool explicitlyGrouped = false)
    {
        using var context = Context.Create(builder => builder.CPU().EnableAlgorithms().Optimize(OptimizationLevel.O1).Inlining(inlining));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80, CudaInstructionSet.ISA_70, nvvmAPI: null);
        var entry = explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel) : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }
}
