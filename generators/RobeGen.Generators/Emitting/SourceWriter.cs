using System;
using System.Text;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// Writes generated C# ("\n" line ends, 4-space indent), in the manner of System.Text.Json's SourceWriter: emitters
/// pass whole raw-string templates, and every line of a template is indented to the current <see cref="Indentation"/>.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();

    /// <summary>Indent levels of the next lines.</summary>
    public int Indentation { get; set; }

    /// <summary>Writes <paramref name="text"/> (one line or a multi-line template) indented, and a line end after it.</summary>
    public void WriteLine(string text)
    {
        int start = 0;
        while (true)
        {
            int end = text.IndexOf('\n', start);
            string line = (end < 0 ? text.Substring(start) : text.Substring(start, end - start)).TrimEnd('\r');
            if (line.Length > 0) _text.Append(' ', Indentation * 4).Append(line);
            _text.Append('\n');
            if (end < 0) return;
            start = end + 1;
        }
    }

    /// <summary>An empty line.</summary>
    public void WriteLine() => _text.Append('\n');

    /// <summary>Writes <paramref name="header"/> (if any) and an opening brace, and indents until the returned scope ends.</summary>
    public Scope Block(string? header = null)
    {
        if (header is not null) WriteLine(header);
        WriteLine("{");
        Indentation++;
        return new Scope(this);
    }

    public override string ToString() => _text.ToString();

    /// <summary>Closes a <see cref="Block"/>: unindents and writes the closing brace.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly SourceWriter _writer;

        public Scope(SourceWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer.Indentation--;
            _writer.WriteLine("}");
        }
    }
}
