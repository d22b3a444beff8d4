using ILGPU;
using ILGPU.Runtime;

namespace RobeGen.Cuda.Blas;

/// <summary>Element type of a device matrix the GEMMs read or write.</summary>
internal enum ElementType
{
    F32 = 0,
    /// <summary>bfloat16 stored as raw 16-bit patterns (<see cref="Kernels.Bf16"/>).</summary>
    Bf16 = 1,
}

/// <summary>What a GEMM applies to its result before storing it (cuBLASLt's epilogues).</summary>
internal enum GemmEpilogue
{
    None = 0,
    /// <summary>C[r, c] += bias[c].</summary>
    Bias = 1,
    /// <summary>C[r, c] = max(C[r, c] + bias[c], 0).</summary>
    BiasRelu = 2,
}

/// <summary>A device view of F32 or bf16 elements, for GEMMs that take either (the view of the other type is empty).</summary>
internal readonly struct DeviceMatrix
{
    private DeviceMatrix(ArrayView<float> f32, ArrayView<ushort> bf16, ElementType type)
    {
        F32 = f32;
        Bf16 = bf16;
        Type = type;
    }

    public ArrayView<float> F32 { get; }
    public ArrayView<ushort> Bf16 { get; }
    public ElementType Type { get; }
    public long Length => Type == ElementType.F32 ? F32.Length : Bf16.Length;
    public bool IsEmpty => Length == 0;

    /// <summary>Device address of element 0 (zero for an empty view).</summary>
    public IntPtr Pointer => IsEmpty ? IntPtr.Zero : Type == ElementType.F32 ? F32.LoadEffectiveAddressAsPtr() : Bf16.LoadEffectiveAddressAsPtr();

    public static implicit operator DeviceMatrix(ArrayView<float> view) => new(view, default, ElementType.F32);
    public static implicit operator DeviceMatrix(ArrayView<ushort> view) => new(default, view, ElementType.Bf16);
    public static implicit operator DeviceMatrix(ArrayView1D<float, Stride1D.Dense> view) => (ArrayView<float>)view;
    public static implicit operator DeviceMatrix(ArrayView1D<ushort, Stride1D.Dense> view) => (ArrayView<ushort>)view;
    public static implicit operator DeviceMatrix(MemoryBuffer1D<float, Stride1D.Dense> buffer) => (ArrayView<float>)buffer.View;
    public static implicit operator DeviceMatrix(MemoryBuffer1D<ushort, Stride1D.Dense> buffer) => (ArrayView<ushort>)buffer.View;
}
