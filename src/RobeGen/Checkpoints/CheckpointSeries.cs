using System.Globalization;

namespace RobeGen.Checkpoints;

/// <summary>
/// The checkpoints of one run around its final path (e.g. <c>model.rgck</c>). Keeping one, each checkpoint replaces
/// that file. Keeping K &gt; 1, each goes to its own file <c>model.step-000000001200.rgck</c> beside it and only the
/// newest K stay; <see cref="Publish"/> then copies the newest to the final path. Every file is written atomically
/// (see <see cref="CheckpointFile"/>), so a crash at any moment leaves complete checkpoints and, at worst, a hidden
/// temporary file that no loader takes and the next run removes. Resuming takes the newest checkpoint that verifies
/// and sets damaged newer ones aside. One run writes to a series at a time.
/// </summary>
public sealed class CheckpointSeries
{
    private const string StepInfix = ".step-";
    private const string DamagedSuffix = ".damaged";

    /// <param name="path">The run's final checkpoint path.</param>
    /// <param name="keep">How many periodic checkpoints to keep (1: only the final path, overwritten each time).</param>
    public CheckpointSeries(string path, int keep = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), keep, "Keep at least one checkpoint.");
        Path = System.IO.Path.GetFullPath(path);
        Keep = keep;
        Folder = System.IO.Path.GetDirectoryName(Path)!;
        _stem = System.IO.Path.GetFileNameWithoutExtension(Path);
        _extension = System.IO.Path.GetExtension(Path);
    }

    private readonly string _stem;
    private readonly string _extension;

    /// <summary>The newest checkpoint's path; older ones get numbered names beside it.</summary>
    public string Path { get; }
    /// <summary>How many checkpoints are kept.</summary>
    public int Keep { get; }
    /// <summary>The folder of the checkpoints.</summary>
    public string Folder { get; }

    /// <summary>Where the checkpoint of <paramref name="step"/> goes.</summary>
    public string PathFor(long step) => Keep == 1 ? Path
        : System.IO.Path.Combine(Folder, _stem + StepInfix + step.ToString("D12", CultureInfo.InvariantCulture) + _extension);

    /// <summary>Writes the checkpoint of <paramref name="step"/> with <paramref name="write"/> (an atomic save to the path
    /// it is given), then removes the periodic checkpoints beyond the newest <see cref="Keep"/>. Returns the path written.</summary>
    public string Save(long step, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string target = PathFor(step);
        if (Directory.Exists(Folder) is false) Directory.CreateDirectory(Folder);
        write(target);
        if (Keep > 1)
            foreach ((string old, _) in StepFiles().Skip(Keep)) File.Delete(old); // only after the new one is complete
        return target;
    }

    /// <summary>Makes the final path hold the newest periodic checkpoint (atomically: copy to a temporary file, then rename).</summary>
    public void Publish()
    {
        if (Keep == 1) return;
        (string newest, _) = StepFiles().FirstOrDefault();
        if (newest is null) return;
        string temp = CheckpointFile.TemporaryPathFor(Path);
        try
        {
            File.Copy(newest, temp);
            using (var handle = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite)) handle.Flush(flushToDisk: true);
            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The checkpoint files of this series that a resume would consider: the final path and the periodic ones.</summary>
    public IReadOnlyList<string> Files()
    {
        var files = StepFiles().Select(f => f.Path).ToList();
        if (File.Exists(Path)) files.Insert(0, Path);
        return files;
    }

    /// <summary>Removes temporary files left by a writer that was killed mid-save (no loader takes them; they only waste space).</summary>
    public int RemoveStaleTemporaryFiles()
    {
        if (!Directory.Exists(Folder)) return 0;
        int removed = 0;
        string finalName = System.IO.Path.GetFileName(Path);
        foreach (string file in Directory.EnumerateFiles(Folder, ".*" + CheckpointFile.TemporarySuffix))
        {
            string name = System.IO.Path.GetFileName(file);
            if (!name.StartsWith($".{finalName}.", StringComparison.Ordinal) && !name.StartsWith($".{_stem}{StepInfix}", StringComparison.Ordinal)) continue;
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    /// <summary>
    /// Loads the newest checkpoint of the series that verifies, trying candidates from the highest step down (each is
    /// verified in full before <paramref name="load"/> builds from it). Newer files that are damaged (truncated, checksum) are renamed with a <c>.damaged</c> suffix so that later
    /// saves and resumes pass them by, and are listed in <paramref name="setAside"/> with the reason. A file that is
    /// intact but refused by <paramref name="load"/> (another model) is an error, not skipped. Throws
    /// <see cref="CheckpointException"/> when none is intact.
    /// </summary>
    public T LoadNewest<T>(Func<string, T> load, out IReadOnlyList<string> setAside)
    {
        ArgumentNullException.ThrowIfNull(load);
        // Periodic files are ordered by the step in their names (a damaged one must be tried, and set aside, before an
        // older intact one: else later saves would keep it as "newest" and prune good ones); the final path by the step
        // in its header, first when unreadable, so that a damaged final file is set aside too.
        var candidates = StepFiles()
            .Append((Path, Step: File.Exists(Path) ? CheckpointFile.PeekStep(Path) ?? long.MaxValue : -1))
            .Where(c => c.Step >= 0)
            .OrderByDescending(c => c.Step)
            .ThenBy(c => c.Path == Path ? 0 : 1)
            .Select(c => c.Path)
            .ToList();
        var failures = new List<string>();
        foreach (string candidate in candidates)
        {
            try
            {
                CheckpointFile.Verify(candidate); // no host copy of its tensors: a CUDA model's may exceed the host
            }
            catch (CheckpointException e) when (candidate == Path && !CheckpointFile.StartsWithMagic(candidate))
            {
                // The path the user named is not a checkpoint at all (a data file given by mistake): renaming it would hide
                // the user's file. Periodic files carry names only a series writes, so those are set aside as damaged.
                throw new CheckpointException(candidate, $"{e.Problem} It was left as it is.", e);
            }
            catch (CheckpointException e)
            {
                File.Move(candidate, candidate + DamagedSuffix, overwrite: true);
                failures.Add($"{candidate} -> {candidate + DamagedSuffix}: {e.Problem}");
                continue;
            }
            setAside = failures;
            return load(candidate);
        }
        throw new CheckpointException(Path, candidates.Count == 0
            ? "no checkpoint of this run exists (neither the file nor periodic ones beside it)."
            : $"no intact checkpoint: {string.Join("; ", failures)}");
    }

    /// <summary>Periodic checkpoint files, newest (highest step) first (also those of an earlier run that kept more).</summary>
    private IEnumerable<(string Path, long Step)> StepFiles()
    {
        if (!Directory.Exists(Folder)) return [];
        string prefix = _stem + StepInfix;
        return Directory.EnumerateFiles(Folder, prefix + "*" + _extension)
            .Select(f => (Path: f, Name: System.IO.Path.GetFileName(f)))
            .Where(f => f.Name.Length == prefix.Length + 12 + _extension.Length && f.Name.EndsWith(_extension, StringComparison.Ordinal))
            .Select(f => (f.Path, Step: long.TryParse(f.Name.AsSpan(prefix.Length, 12), NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : -1))
            .Where(f => f.Step >= 0)
            .OrderByDescending(f => f.Step)
            .ToList();
    }
}
