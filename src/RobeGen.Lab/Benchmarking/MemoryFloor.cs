using System.Diagnostics;
using ILGPU.Runtime;
using RobeGen.Cuda;

namespace RobeGen.Lab.Benchmarking;

/// <summary>
/// The memory floor of a layer that reads n floats and writes n floats once: a device-to-device copy of n floats on
/// the same GPU, timed in the same run as what is compared with it.
/// </summary>
internal static class MemoryFloor
{
    /// <summary>Milliseconds of one copy of <paramref name="floats"/> floats (mean of <paramref name="repetitions"/>, after a warm-up copy).</summary>
    public static double CopyMilliseconds(GpuDevice device, long floats, int repetitions)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(floats, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        device.Accelerator.Bind();
        using var source = device.Accelerator.Allocate1D<float>(floats);
        using var target = device.Accelerator.Allocate1D<float>(floats);
        source.View.MemSetToZero(device.Stream);
        source.View.CopyTo(device.Stream, target.View);
        device.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < repetitions; r++) source.View.CopyTo(device.Stream, target.View);
        device.Synchronize();
        return clock.Elapsed.TotalMilliseconds / repetitions;
    }
}
