namespace RobeGen.Cli.Files;

/// <summary>
/// An output file named by a flag (--save, --out, --rejects), checked before any work starts: not a directory, not a
/// link loop, not one of the inputs, in a folder we can write. A run that would fail to write its result after an
/// hour of training fails in the first second instead, naming the flag.
/// </summary>
internal sealed class OutputPath
{
    private OutputPath(string flag, string given, string target, bool special)
    {
        Flag = flag;
        Given = given;
        Target = target;
        IsSpecial = special;
    }

    public string Flag { get; }

    /// <summary>The path as the user gave it (for messages).</summary>
    public string Given { get; }

    /// <summary>Where the bytes go: the full path, with a symbolic link the user gave resolved to the file it names.</summary>
    public string Target { get; }

    /// <summary>A device or FIFO (/dev/null, /dev/stdout): written directly, since a rename would replace the node.</summary>
    public bool IsSpecial { get; }

    /// <summary>Checks <paramref name="path"/>, given with <paramref name="flag"/>, against the <paramref name="inputs"/> (flag, path) of the same run.</summary>
    /// <param name="allowSpecial">Whether a device or FIFO may take the output (not for files that are renamed into place, like checkpoints).</param>
    public static OutputPath Check(string flag, string path, IEnumerable<(string Flag, string Path)> inputs, bool allowSpecial = true)
    {
        string target = Resolve(flag, path);
        if (Directory.Exists(target)) throw new CliException($"{flag} {path} is a directory; give a file path", 2);
        foreach ((string inputFlag, string input) in inputs)
        {
            if (string.Equals(SafeResolve(input), target, StringComparison.Ordinal))
                throw new CliException($"{flag} {path} is also an input ({inputFlag} {input}); writing it would destroy that file", 2);
        }
        bool special = FileKind.IsSpecial(target);
        if (special && !allowSpecial) throw new CliException($"{flag} {path} is a device or pipe, not a file; give a file path", 2);
        if (!special) ProbeFolder(flag, path, target);
        return new OutputPath(flag, path, target, special);
    }

    /// <summary>The full path with every link followed; a loop or an unreadable link is refused naming the flag.</summary>
    private static string Resolve(string flag, string path)
    {
        try
        {
            return Follow(path);
        }
        catch (IOException e)
        {
            throw new CliException($"{flag} {path}: cannot follow the symbolic link ({e.Message})", 1, e);
        }
    }

    /// <summary>An input compared by its resolved path; one that cannot be resolved is compared as given (it cannot equal a good output).</summary>
    private static string SafeResolve(string path)
    {
        try
        {
            return Follow(path);
        }
        catch (IOException)
        {
            return Path.GetFullPath(path);
        }
    }

    private static string Follow(string path)
    {
        var file = new FileInfo(Path.GetFullPath(path));
        if (file.LinkTarget is null) return file.FullName; // not a link (or absent: where a write creates the file)
        // A dangling link resolves to the path it names, where a write through it creates the file.
        return file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file.FullName;
    }

    /// <summary>Creates the folder if needed and a uniquely named empty file in it, then removes that file.</summary>
    private static void ProbeFolder(string flag, string path, string target)
    {
        string folder = Path.GetDirectoryName(target)!;
        string probe = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.probe");
        try
        {
            Directory.CreateDirectory(folder);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{flag} {path}: cannot write in {folder} ({e.Message})", 1, e);
        }
    }
}
