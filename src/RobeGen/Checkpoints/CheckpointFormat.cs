namespace RobeGen.Checkpoints;

/// <summary>
/// The checkpoint file layout, versions 1 and 2 (2 only adds the lanes of interleaved reading; a checkpoint of in-order
/// reading is still written as version 1, so older builds read it). All integers little-endian; a string is a u32 byte count and UTF-8 bytes;
/// arrays are an i64 element count and the raw little-endian elements.
/// <code>
///   "RGCK"                       4 bytes magic
///   u32 format version           = 1, or 2 where the data position is interleaved
///   u64 file length              the whole file, trailer included (truncation is named before anything else)
///   string declaration name, string fingerprint
///   u32 n, n x (string key, string value)     hyperparameters, sorted by key (ordinal)
///   i64 step, i32 epoch, i32 data file index, i64 data line
///   version 2 only: u32 n lanes, n x (i32 file index, i64 line), i32 next lane      (InterleavedPosition)
///   u32 n, n x (string name, f32[])           tensors of the ModelState, in its order
///   u32 n, n x (string name, u64[])           vocabularies
///   u64 XXH64 (seed 0) of every byte before it
/// </code>
/// </summary>
internal static class CheckpointFormat
{
    public static ReadOnlySpan<byte> Magic => "RGCK"u8;
    /// <summary>The newest version this build writes and reads.</summary>
    public const uint Version = 2;
    /// <summary>The oldest version this build reads (and writes for in-order data positions).</summary>
    public const uint OldestVersion = 1;
    /// <summary>Magic, version and file length.</summary>
    public const int HeaderBytes = 16;
    public const int TrailerBytes = 8;
    /// <summary>No legitimate name or value comes near this; a longer claimed string means corruption.</summary>
    public const int MaxStringBytes = 1 << 20;
}
