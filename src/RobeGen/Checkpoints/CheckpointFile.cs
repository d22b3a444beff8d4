using System.Buffers.Binary;
using System.IO.Hashing;
using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Checkpoints;

/// <summary>
/// Saves and loads <see cref="Checkpoint"/>s in the versioned binary format of <see cref="CheckpointFormat"/>.
/// Saving is atomic: the file is written beside the target under a temporary name, flushed to disk and renamed
/// over the target, so a crash leaves either the old checkpoint or the new one, never a torn file. Loading checks
/// magic, version, length and checksum before it believes any size in the file.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Version of the file format this build writes and reads.</summary>
    public const uint FormatVersion = CheckpointFormat.Version;

    private const int IoBufferBytes = 1 << 20;

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically (a temporary file, then a rename), with its checksum.</summary>
    public static void Save(string path, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Save(path, checkpoint, new HostStateStream(checkpoint.State));
    }

    /// <summary>
    /// Writes the fields of <paramref name="checkpoint"/> with the tensors of <paramref name="tensors"/> (not its
    /// <see cref="Checkpoint.State"/>), read piece by piece straight into the file: a device's state needs no host copy.
    /// The bytes are those <see cref="Save(string, Checkpoint)"/> writes for the same state, whatever the pieces.
    /// </summary>
    /// <param name="path">The checkpoint file (replaced atomically).</param>
    /// <param name="checkpoint">Everything but the tensors.</param>
    /// <param name="tensors">The tensors, in the model's order.</param>
    /// <param name="pieceLength">Floats per piece read (tests pass small ones to cross tensor and chunk boundaries).</param>
    /// <param name="wrapForTests">Wraps the temporary file's stream (tests inject write failures with it).</param>
    internal static void Save(string path, Checkpoint checkpoint, IStreamedState tensors, int pieceLength = IStreamedState.DefaultPieceLength,
        Func<Stream, Stream>? wrapForTests = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Checkpoints are written on little-endian machines only.");
        string fullPath = Path.GetFullPath(path);
        string temp = TemporaryPathFor(fullPath);

        // The header records the file length: a first pass counts the bytes, taking the tensors' lengths from their shapes.
        var counter = new CheckpointSink(null);
        WriteBody(checkpoint, tensors, counter, fileLength: 0, pieceLength);
        long fileLength = counter.Written + CheckpointFormat.TrailerBytes;
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, IoBufferBytes))
            {
                Stream stream = wrapForTests?.Invoke(file) ?? file;
                var sink = new CheckpointSink(stream);
                WriteBody(checkpoint, tensors, sink, fileLength, pieceLength);
                if (sink.Written != counter.Written)
                    throw new InvalidOperationException($"The checkpoint body took {sink.Written} bytes where {counter.Written} were counted.");
                Span<byte> trailer = stackalloc byte[CheckpointFormat.TrailerBytes];
                BinaryPrimitives.WriteUInt64LittleEndian(trailer, sink.Hash);
                stream.Write(trailer);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void WriteBody(Checkpoint c, IStreamedState tensors, CheckpointSink sink, long fileLength, int pieceLength)
    {
        sink.Write(CheckpointFormat.Magic);
        InterleavedPosition? lanes = c.DataPosition.Interleaved;
        sink.WriteU32(lanes is null ? CheckpointFormat.OldestVersion : CheckpointFormat.Version);
        sink.WriteU64((ulong)fileLength);
        sink.WriteString(c.DeclarationName);
        sink.WriteString(c.Fingerprint);
        var hyperparameters = c.Hyperparameters.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        sink.WriteU32((uint)hyperparameters.Count);
        foreach ((string key, string value) in hyperparameters)
        {
            sink.WriteString(key);
            sink.WriteString(value);
        }
        sink.WriteI64(c.Step);
        sink.WriteI32(c.Epoch);
        sink.WriteI32(c.DataPosition.FileIndex);
        sink.WriteI64(c.DataPosition.Line);
        if (lanes is not null)
        {
            sink.WriteU32((uint)lanes.Lanes.Count);
            foreach (DataPosition lane in lanes.Lanes)
            {
                sink.WriteI32(lane.FileIndex);
                sink.WriteI64(lane.Line);
            }
            sink.WriteI32(lanes.Next);
        }
        TensorRecordWriter.Write(sink, tensors, pieceLength);
        sink.WriteU32((uint)c.Vocabularies.Count);
        foreach (NamedIds vocabulary in c.Vocabularies)
        {
            sink.WriteString(vocabulary.Name);
            sink.WriteU64s(vocabulary.Ids);
        }
    }

    /// <summary>Loads a checkpoint and refuses one written by another declaration than <paramref name="declaration"/>.</summary>
    public static Checkpoint Load(string path, ModelDeclaration declaration)
    {
        Checkpoint checkpoint = Load(path);
        RequireWrittenBy(path, checkpoint, declaration);
        return checkpoint;
    }

    /// <summary>Refuses a checkpoint written by another declaration than <paramref name="declaration"/>.</summary>
    internal static void RequireWrittenBy(string path, Checkpoint checkpoint, ModelDeclaration declaration)
    {
        if (checkpoint.Fingerprint != declaration.Fingerprint)
            throw new CheckpointException(path,
                $"it was written by declaration {checkpoint.DeclarationName} (fingerprint {checkpoint.Fingerprint}), but this model is " +
                $"{declaration.Name} (fingerprint {declaration.Fingerprint}); a checkpoint loads only into the declaration that wrote it.");
    }

    /// <summary>Loads and verifies a checkpoint without comparing it with a declaration (for inspection).</summary>
    public static Checkpoint Load(string path) => Load(path, ChunkedFloats.MaxChunkLength);

    /// <param name="path">The checkpoint file.</param>
    /// <param name="chunkLength">Floats per chunk of every tensor read (tests pass small ones to cross chunk boundaries).</param>
    internal static Checkpoint Load(string path, int chunkLength)
    {
        using CheckpointReader reader = Open(path);
        return reader.Header.WithState(reader.ReadState(chunkLength));
    }

    /// <summary>
    /// Opens a checkpoint and verifies it as <see cref="Load(string)"/> does (magic, version, length, checksum, every field
    /// and length bounded), reading its fields and indexing its tensors without reading their values.
    /// </summary>
    internal static CheckpointReader Open(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Checkpoints are read on little-endian machines only.");
        FileStream file = OpenForReading(path, IoBufferBytes, FileOptions.SequentialScan);
        try
        {
            long length = file.Length;
            uint version = VerifyHeader(file, path, length);
            VerifyChecksum(file, path, length);
            file.Position = CheckpointFormat.HeaderBytes;
            var source = new CheckpointSource(file, path, length - CheckpointFormat.HeaderBytes - CheckpointFormat.TrailerBytes);
            (Checkpoint header, List<TensorRecord> tensors) = ReadBody(source, version);
            if (source.Remaining != 0) throw source.Corrupt($"{source.Remaining} unexplained bytes before the checksum");
            return new CheckpointReader(file, path, header, tensors);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Verifies a checkpoint in full (as <see cref="Load(string)"/> does) without reading its tensors into memory.</summary>
    internal static void Verify(string path)
    {
        using (Open(path)) { }
    }

    /// <summary>
    /// The full class name of the model a checkpoint holds, read from its header without verifying the checksum (to pick
    /// the definition to load it with; the load then verifies the file in full).
    /// </summary>
    public static string PeekDeclarationName(string path)
    {
        using FileStream file = OpenForReading(path, 4096, FileOptions.None);
        long length = file.Length;
        VerifyHeader(file, path, length);
        var source = new CheckpointSource(file, path, length - CheckpointFormat.HeaderBytes - CheckpointFormat.TrailerBytes);
        return source.ReadString("declaration name");
    }

    /// <summary>
    /// The step a checkpoint claims, read from its header without verifying the checksum (cheap, for ordering
    /// candidates only: the chosen file is then loaded and verified in full); null when the file cannot be read.
    /// </summary>
    public static long? PeekStep(string path)
    {
        try
        {
            using FileStream file = OpenForReading(path, 4096, FileOptions.None);
            long length = file.Length;
            VerifyHeader(file, path, length);
            var source = new CheckpointSource(file, path, length - CheckpointFormat.HeaderBytes - CheckpointFormat.TrailerBytes);
            source.ReadString("declaration name");
            source.ReadString("fingerprint");
            int count = source.ReadCount("hyperparameter count", minBytesEach: 8);
            for (int i = 0; i < count * 2; i++) source.ReadString("hyperparameter");
            return source.ReadI64("step");
        }
        catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the file starts with the checkpoint magic: a damaged checkpoint does, a data file or an empty file given
    /// where a checkpoint was expected does not (and must be left as it is, not set aside as a damaged checkpoint).
    /// </summary>
    internal static bool StartsWithMagic(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16);
            Span<byte> magic = stackalloc byte[4];
            return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual(CheckpointFormat.Magic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Opens a checkpoint for reading. A directory is a <see cref="CheckpointException"/> saying so: the runtime reports it
    /// as "access denied", which sends a user looking at permissions.
    /// </summary>
    private static FileStream OpenForReading(string path, int bufferBytes, FileOptions options)
    {
        if (Directory.Exists(path)) throw new CheckpointException(path, "this is a directory; give the checkpoint file (for example the .rgck that --save wrote).");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferBytes, options);
    }

    /// <summary>Ends the hidden name (".target.guid.rgck.tmp") of a file being saved; no loader takes such a file.</summary>
    internal const string TemporarySuffix = ".rgck.tmp";

    internal static string TemporaryPathFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}{TemporarySuffix}");

    /// <summary>The lanes of an interleaved data position (version 2), bounded like every other value.</summary>
    private static DataPosition ReadLanes(CheckpointSource s, DataPosition position)
    {
        int count = s.ReadCount("interleaved lane count", minBytesEach: 12);
        if (count is < 2 or > InterleavedPosition.MaxLanes) throw s.Corrupt($"{count} interleaved lanes");
        var lanes = new DataPosition[count];
        for (int k = 0; k < count; k++)
        {
            lanes[k] = new DataPosition(s.ReadI32($"lane {k}'s file index"), s.ReadI64($"lane {k}'s line"));
            if (lanes[k].FileIndex < 0 || lanes[k].Line < 0) throw s.Corrupt($"lane {k}'s position is {lanes[k]}");
        }
        int next = s.ReadI32("next lane");
        if (next < 0 || next >= count) throw s.Corrupt($"the next lane is {next} of {count}");
        DataPosition interleaved = new InterleavedPosition(lanes, next).AsDataPosition();
        if (interleaved.FileIndex != position.FileIndex || interleaved.Line != position.Line)
            throw s.Corrupt($"the data position {position} is not the next lane's ({interleaved.FileIndex}, {interleaved.Line})");
        return interleaved;
    }

    /// <summary>Checks magic, version and length; returns the version.</summary>
    private static uint VerifyHeader(FileStream file, string path, long length)
    {
        if (length < CheckpointFormat.HeaderBytes + CheckpointFormat.TrailerBytes)
            throw new CheckpointException(path, $"the file has only {length} bytes: it is truncated or not a checkpoint.");
        Span<byte> header = stackalloc byte[CheckpointFormat.HeaderBytes];
        file.ReadExactly(header);
        if (!header[..4].SequenceEqual(CheckpointFormat.Magic))
            throw new CheckpointException(path, $"not a RobeGen checkpoint (the file starts with {Convert.ToHexString(header[..4])}, not \"RGCK\").");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version is < CheckpointFormat.OldestVersion or > CheckpointFormat.Version)
            throw new CheckpointException(path, $"format version {version}; this build reads versions {CheckpointFormat.OldestVersion} to {CheckpointFormat.Version}.");
        ulong recorded = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        if (recorded != (ulong)length)
            throw new CheckpointException(path, recorded > (ulong)length
                ? $"truncated: the header records {recorded} bytes but the file has {length}."
                : $"corrupt: the header records {recorded} bytes but the file has {length}.");
        return version;
    }

    private static void VerifyChecksum(FileStream file, string path, long length)
    {
        file.Position = 0;
        var hash = new XxHash64();
        var buffer = new byte[IoBufferBytes];
        for (long left = length - CheckpointFormat.TrailerBytes; left > 0;)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) throw new CheckpointException(path, "the file shrank while being read.");
            hash.Append(buffer.AsSpan(0, read));
            left -= read;
        }
        Span<byte> trailer = stackalloc byte[CheckpointFormat.TrailerBytes];
        file.ReadExactly(trailer);
        ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(trailer);
        ulong actual = hash.GetCurrentHashAsUInt64();
        if (expected != actual)
            throw new CheckpointException(path, $"corrupt: the XXH64 checksum is {actual:x16} but the file records {expected:x16}.");
    }

    /// <summary>Every field, and where each tensor's values lie (skipped, not read).</summary>
    private static (Checkpoint Header, List<TensorRecord> Tensors) ReadBody(CheckpointSource s, uint version)
    {
        string name = s.ReadString("declaration name");
        string fingerprint = s.ReadString("fingerprint");
        var hyperparameters = new Dictionary<string, string>(StringComparer.Ordinal);
        int count = s.ReadCount("hyperparameter count", minBytesEach: 8);
        for (int i = 0; i < count; i++)
        {
            string key = s.ReadString("hyperparameter key");
            if (!hyperparameters.TryAdd(key, s.ReadString($"hyperparameter '{key}'")))
                throw s.Corrupt($"hyperparameter '{key}' appears twice");
        }
        long step = s.ReadI64("step");
        int epoch = s.ReadI32("epoch");
        var position = new DataPosition(s.ReadI32("data file index"), s.ReadI64("data line"));
        // A checksum only proves the bytes are the ones written; a forged file can carry a valid one, so values are bounded too.
        if (step < 0) throw s.Corrupt($"the step is {step}");
        if (epoch < 0) throw s.Corrupt($"the epoch is {epoch}");
        if (position.FileIndex < 0 || position.Line < 0) throw s.Corrupt($"the data position is {position}");
        if (version >= 2) position = ReadLanes(s, position);
        var tensors = new List<TensorRecord>();
        count = s.ReadCount("tensor count", minBytesEach: 12);
        for (int i = 0; i < count; i++)
        {
            string tensor = s.ReadString("tensor name");
            long length = s.SkipFloats($"tensor '{tensor}'", out long offset);
            if (tensors.Exists(t => t.Shape.Name == tensor)) throw s.Corrupt($"tensor '{tensor}' appears twice");
            tensors.Add(new TensorRecord(new TensorShape(tensor, length), offset));
        }
        var vocabularies = new List<NamedIds>();
        count = s.ReadCount("vocabulary count", minBytesEach: 12);
        for (int i = 0; i < count; i++)
        {
            string vocabulary = s.ReadString("vocabulary name");
            vocabularies.Add(new NamedIds(vocabulary, s.ReadU64s($"vocabulary '{vocabulary}'")));
        }
        var header = new Checkpoint
        {
            DeclarationName = name,
            Fingerprint = fingerprint,
            Hyperparameters = hyperparameters,
            Step = step,
            Epoch = epoch,
            DataPosition = position,
            State = new ModelState(),
            Vocabularies = vocabularies,
        };
        return (header, tensors);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
