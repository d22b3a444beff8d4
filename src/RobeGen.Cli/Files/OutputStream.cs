namespace RobeGen.Cli.Files;

/// <summary>
/// A write-only stream that turns a failed write (disk full, I/O error) into a <see cref="CliException"/> naming the output's
/// flag and path, so such an error is never mistaken for one of the input files, which fail with their own names.
/// </summary>
internal sealed class OutputStream(Stream inner, OutputPath output) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Guard(() => inner.Write(buffer, offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (IOException e)
        {
            throw Failed(e);
        }
    }

    public override void Flush() => Guard(inner.Flush);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private CliException Failed(IOException e) => new($"{output.Flag} {output.Given}: could not write ({e.Message})", 1, e);

    private void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (IOException e)
        {
            throw Failed(e);
        }
    }
}
