namespace RobeGen.Checkpoints;

/// <summary>A checkpoint file that cannot be used: truncated, corrupt, of another format version or of another model.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>A problem <paramref name="problem"/> with the checkpoint at <paramref name="path"/>.</summary>
    public CheckpointException(string path, string problem, Exception? inner = null)
        : base($"Checkpoint {path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }
    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
