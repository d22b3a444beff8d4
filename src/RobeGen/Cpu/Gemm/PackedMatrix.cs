using System.Runtime.InteropServices;

namespace RobeGen.Cpu.Gemm;

/// <summary>
/// A right-hand operand op(B) [k x n] already cut into the micro-kernel's panels (the layout <see cref="Sgemm"/>
/// packs into on every call), kept between products. A layer's weights change only at an optimizer step, so
/// inference packs each weight matrix once per parameter version instead of once per call: a single-row prediction
/// then reads only the panels.
/// </summary>
internal sealed unsafe class PackedMatrix : IDisposable
{
    private long _capacity;

    /// <summary>The panels (valid after <see cref="Sgemm.Pack"/>).</summary>
    internal float* Data { get; private set; }
    /// <summary>Columns of op(B) (outputs of a layer).</summary>
    public int N { get; internal set; }
    /// <summary>Rows of op(B): the inner dimension of the product.</summary>
    public int K { get; internal set; }
    /// <summary>Which version of the source matrix the panels hold (the owner's counter; -1 = none yet).</summary>
    public long Version { get; set; } = -1;

    /// <summary>Makes room for <paramref name="floats"/> values (contents are lost when it grows).</summary>
    internal void Reserve(long floats)
    {
        if (floats <= _capacity) return;
        NativeMemory.AlignedFree(Data);
        Data = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
        _capacity = floats;
    }

    private void Free()
    {
        NativeMemory.AlignedFree(Data);
        Data = null;
        _capacity = 0;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~PackedMatrix() => Free();
}
