namespace RobeGen.Checkpoints;

/// <summary>A checkpoint file that cannot be used: truncated, corrupt, of another format version or of another model.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string path, string problem, Exception? inner = null)
        : base($"Checkpoint {path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    public string Path { get; }
    public string Problem { get; }
}
