using ILGPU;
using ILGPU.Runtime;

namespace RobeGen.Tests.Embedding;

/// <summary>A layout's per-table arrays on an accelerator, as the kernels take them.</summary>
internal sealed class GpuTables : IDisposable
{
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _storage, _pooling;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> _rows, _quotientRows, _tableBase;
    private readonly MemoryBuffer1D<ulong, Stride1D.Dense> _tokenOffsets;

    public GpuTables(Accelerator accelerator, EmbeddingLayout layout)
    {
        var arrays = GpuTableArrays.Of(layout);
        _storage = accelerator.Allocate1D(arrays.Storage);
        _rows = accelerator.Allocate1D(arrays.Rows);
        _quotientRows = accelerator.Allocate1D(arrays.QuotientRows);
        _tableBase = accelerator.Allocate1D(arrays.TableBase);
        _tokenOffsets = accelerator.Allocate1D(arrays.TokenOffsets);
        _pooling = accelerator.Allocate1D(arrays.Pooling);
    }

    public GpuTableViews Views => new(_storage.View, _rows.View, _quotientRows.View, _tableBase.View, _tokenOffsets.View, _pooling.View);

    public void Dispose()
    {
        _storage.Dispose();
        _rows.Dispose();
        _quotientRows.Dispose();
        _tableBase.Dispose();
        _tokenOffsets.Dispose();
        _pooling.Dispose();
    }
}
