namespace RobeGen;

/// <summary>The host arrays a <see cref="GpuTableViews"/> points at, from a layout (copy each to the device).</summary>
internal sealed record GpuTableArrays(int[] Storage, long[] Rows, long[] QuotientRows, long[] TableBase, ulong[] TokenOffsets, int[] Pooling)
{
    public static GpuTableArrays Of(EmbeddingLayout layout) => new(
        layout.Storage.Select(s => (int)s).ToArray(),
        layout.Rows.ToArray(),
        layout.QuotientRows.ToArray(),
        layout.TableBase.ToArray(),
        layout.Declaration.Tables.Select(t => t.TokenOffset).ToArray(),
        layout.Pooling.Select(p => (int)p).ToArray());
}
