using RobeGen.Cli.Files;

namespace RobeGen.Cli.Commands.Train;

/// <summary>
/// The files a training run writes (--save, --rejects and the evaluation rejects beside it) and the one it may rename
/// (--resume sets damaged checkpoints aside), checked before the first step: none may be an input, a directory or unwritable.
/// </summary>
internal sealed class TrainOutputs
{
    private TrainOutputs(OutputPath? save, OutputPath? rejects)
    {
        Save = save;
        Rejects = rejects;
    }

    public OutputPath? Save { get; }
    public OutputPath? Rejects { get; }

    /// <summary>Where the evaluation rows' rejects go: beside the training rejects, so that each evaluation does not overwrite them.</summary>
    public static string EvalRejects(string rejects) => rejects + ".eval";

    public static TrainOutputs Check(TrainSettings r, string[] files)
    {
        List<(string Flag, string Path)> inputs = [.. files.Select(f => ("--data", f)), .. r.EvalData.Select(f => ("--eval-data", f))];
        // --resume renames damaged checkpoints; it must not be a data file (it may be --save: that is how a run continues).
        if (r.Resume is not null) OutputPath.Check("--resume", r.Resume, inputs, allowSpecial: false);
        OutputPath? save = r.Save is null ? null : OutputPath.Check("--save", r.Save, inputs, allowSpecial: false);
        if (r.Resume is not null) inputs.Add(("--resume", r.Resume));
        if (save is not null) inputs.Add(("--save", r.Save!));
        OutputPath? rejects = null;
        if (r.SkipBadRows)
        {
            string path = r.Rejects ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(r.Save ?? "x"))!, "rejects.tsv");
            rejects = OutputPath.Check("--rejects", path, inputs);
            if (!rejects.IsSpecial) OutputPath.Check("--rejects", EvalRejects(path), [.. inputs, ("--rejects", path)]);
        }
        return new TrainOutputs(save, rejects);
    }

    /// <summary>Runs a write to <paramref name="output"/>, turning an I/O failure (disk full, read-only) into one line naming the flag.</summary>
    public static T Writing<T>(OutputPath output, string what, Func<T> write)
    {
        try
        {
            return write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{output.Flag} {output.Given}: could not write {what} ({e.Message})", 1, e);
        }
    }

    public static void Writing(OutputPath output, string what, Action write) => Writing(output, what, () =>
    {
        write();
        return 0;
    });
}
