using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Initialization;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Cuda;

/// <summary>
/// The CUDA kernels compute the dot interaction only: a Cat or DcnV2 model handed to the backend with a device of the
/// caller's (robegen bench and check do that) is refused with the typed error before anything is allocated, never
/// trained as a Dot model.
/// </summary>
[Trait("Tier", "Slow")] // ILGPU's CPU accelerator
public sealed class InteractionRefusalTests
{
    [Theory]
    [InlineData(InteractionKind.Cat)]
    [InlineData(InteractionKind.DcnV2)]
    public void The_backend_refuses_cat_and_dcn_models_on_a_device_of_the_callers(InteractionKind interaction)
    {
        IDlrmDefinition definition = interaction == InteractionKind.Cat ? SmallCat.Definition : SmallDcnLowRank.Definition;
        var options = new ModelOptions { MaxBatchSize = 8, Device = DeviceKind.Cuda };
        ModelState state = ModelInitializer.Create(EmbeddingLayout.FromDeclaration(definition.Declaration), options.Optimizer, options.Seed);
        using var device = GpuDevice.CreateCpuSimulator();
        var error = Assert.Throws<NotSupportedException>(() => new CudaDlrmBackend(definition, options, state, device));
        Assert.Equal($"{definition.Declaration.Name}: Interaction = {interaction} runs on the CPU backend only; the CUDA backend implements the Dot "
            + "interaction. Use --device cpu.", error.Message);
    }
}
