using ILGPU.Runtime;
using RobeGen.Data;

namespace RobeGen.Cuda;

/// <summary>
/// One upload slot's room for a multi-hot batch's bags: the offsets (batch * T + 1, a fixed size), the ids (wide, or 32
/// bits when they all fit, as tokens travel), and the cell of each id, filled on the device. The id buffers start at the
/// declared hotness and grow when a batch holds more ids than any before (<see cref="Stage"/>).
/// </summary>
internal sealed class BagSlot : IDisposable
{
    private readonly Accelerator _accelerator;

    public BagSlot(GpuDevice device, DeviceMemory memory, int cells, long ids, int index)
    {
        _accelerator = device.Accelerator;
        Offsets = memory.Allocate<int>($"batch.bag offsets[{index}]", cells + 1L);
        Ids = new GrowableDeviceBuffer<ulong>(memory, $"batch.bag ids[{index}]", ids);
        Narrow = new GrowableDeviceBuffer<uint>(memory, $"batch.bag ids32[{index}]", ids);
        Cells = new GrowableDeviceBuffer<int>(memory, $"batch.bag id cells[{index}]", ids);
        StagingOffsets = _accelerator.AllocatePageLocked1D<int>(cells + 1L);
        StagingIds = _accelerator.AllocatePageLocked1D<ulong>(Math.Max(1, ids));
        StagingNarrow = _accelerator.AllocatePageLocked1D<uint>(Math.Max(1, ids));
    }

    public MemoryBuffer1D<int, ILGPU.Stride1D.Dense> Offsets { get; }
    public GrowableDeviceBuffer<ulong> Ids { get; }
    public GrowableDeviceBuffer<uint> Narrow { get; }
    /// <summary>The cell (sample * T + table) of each id: the record-to-cell map of the update and the deterministic gradient.</summary>
    public GrowableDeviceBuffer<int> Cells { get; }
    public PageLockedArray1D<int> StagingOffsets { get; }
    public PageLockedArray1D<ulong> StagingIds { get; private set; }
    public PageLockedArray1D<uint> StagingNarrow { get; private set; }

    /// <summary>Ids held by the last staged batch.</summary>
    public int IdCount { get; private set; }

    /// <summary>Stages <paramref name="batch"/>'s bags (call once the slot's staging is free); grows the buffers first when
    /// they are too small. True when the ids went to the 32-bit area.</summary>
    public bool Stage(Batch batch)
    {
        int ids = batch.IdCount;
        IdCount = ids;
        if (ids > StagingIds.Length)
        {
            long length = Math.Max(ids, 2 * StagingIds.Length);
            StagingIds.Dispose();
            StagingNarrow.Dispose();
            StagingIds = _accelerator.AllocatePageLocked1D<ulong>(length);
            StagingNarrow = _accelerator.AllocatePageLocked1D<uint>(length);
        }
        Ids.Ensure(ids);
        Narrow.Ensure(ids);
        Cells.Ensure(ids);
        return TokenStaging.StageBags(batch, StagingOffsets, StagingIds, StagingNarrow);
    }

    public void Dispose()
    {
        StagingOffsets.Dispose();
        StagingIds.Dispose();
        StagingNarrow.Dispose();
    }
}
