using RobeGen.Cli.Files;
using RobeGen.Data;
using RobeGen.Data.Tabular;

namespace RobeGen.Cli.Commands;

/// <summary>
/// What kind of data files a command was given, told by their content as <see cref="TabularData"/> does: Parquet by its
/// first bytes, delimited text with a header by its first line, and otherwise Criteo TSV (no header, label first).
/// A model of named columns reads only the first two; a Criteo model any of them (Parquet from 'robegen convert', or a
/// CSV whose header names label, I1..I13, C1..C26).
/// </summary>
internal static class DataFiles
{
    /// <summary>True when <paramref name="files"/> are tabular (a header or Parquet), false for Criteo TSV; mixing both is an error.</summary>
    public static bool IsTabular(ModelDeclaration declaration, IReadOnlyList<string> files, string option)
    {
        var kinds = new List<(string File, bool Tabular)>();
        foreach (string file in files)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"Data file not found: {file}", file);
            // A FIFO or device is never sniffed (opening a FIFO waits for a writer; reading it would consume its first line):
            // it goes to the Criteo reader, which names it and says why it must be a file.
            bool sniff = !FileKind.IsSpecial(file);
            kinds.Add((file, declaration.NamedColumns || (sniff && (TabularFormats.Detect(file) == TabularFormat.Parquet || HasHeader(file, declaration)))));
        }
        if (kinds.Select(k => k.Tabular).Distinct().Count() > 1)
        {
            throw new CliException($"{option} mixes Criteo TSV ({kinds.First(k => !k.Tabular).File}) with files that have a header or are Parquet " +
                $"({kinds.First(k => k.Tabular).File}); give one kind.");
        }
        return kinds.Count > 0 && kinds[0].Tabular;
    }

    /// <summary>
    /// The files read by name for <paramref name="declaration"/>, the text ones split at the delimiter of their first header,
    /// multi-hot cells at <paramref name="listSeparator"/> (--list-separator; null for the default), a Parquet file's
    /// columns decoded by <paramref name="decodeThreads"/> threads (--threads; 0 for the cores shared among the files read at once).
    /// </summary>
    public static TabularData Tabular(ModelDeclaration declaration, IReadOnlyList<string> files, bool labeled = true,
        DenseStatistics? statistics = null, VocabularyMapper? vocabulary = null, char? listSeparator = null, int filesAtOnce = 1, int decodeThreads = 0)
    {
        char delimiter = Delimiter(files);
        try
        {
            return new(declaration, files, delimiter)
            {
                Labeled = labeled,
                ListSeparator = listSeparator,
                Statistics = statistics,
                Vocabulary = vocabulary,
                FilesAtOnce = filesAtOnce,
                DecodeThreads = decodeThreads,
            };
        }
        catch (ArgumentException e) when (e.ParamName == nameof(TabularData.ListSeparator))
        {
            throw new CliException($"--list-separator: {CliErrors.OneLine(e)} (the files' delimiter is '{(delimiter == '\t' ? "\\t" : delimiter.ToString())}')", 2);
        }
    }

    /// <summary>The most frequent of ',', tab, ';' and '|' outside quotes in the first text file's header (',' when none).</summary>
    public static char Delimiter(IReadOnlyList<string> files)
    {
        string? text = files.FirstOrDefault(f => !FileKind.IsSpecial(f) && TabularFormats.Detect(f) == TabularFormat.DelimitedText);
        if (text is null || FirstLine(text) is not { } header) return ',';
        char[] candidates = [',', '\t', ';', '|'];
        var counts = new int[candidates.Length];
        bool quoted = false;
        foreach (char c in header)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && Array.IndexOf(candidates, c) is var i and >= 0) counts[i]++;
        }
        int best = Array.IndexOf(counts, counts.Max());
        return counts[best] > 0 ? candidates[best] : ',';
    }

    /// <summary>
    /// A header row: its first line names one of the model's columns (label, I1, C1, ...), where a Criteo line holds
    /// numbers and hex ids (a malformed one stays Criteo TSV, so its error, or --skip-bad-rows, names the line).
    /// </summary>
    private static bool HasHeader(string file, ModelDeclaration declaration)
    {
        if (FirstLine(file) is not { } line) return false;
        var names = new HashSet<string>([declaration.LabelColumn, .. declaration.DenseColumns.Select(c => c.Name), .. declaration.Tables.Select(t => t.ColumnName)],
            StringComparer.Ordinal);
        return line.Split(['\t', ',', ';', '|']).Any(field => names.Contains(field.Trim().Trim('"')));
    }

    /// <summary>The first line, or null where there is none or it cannot be read (a damaged gzip: the reader that then
    /// reads the file reports the damage with the file and line).</summary>
    private static string? FirstLine(string file)
    {
        try
        {
            using var reader = new StreamReader(InputFile.OpenRead(file));
            return reader.ReadLine();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
