namespace RobeGen.Data;

/// <summary>Tells the labeled (40-field) from the test (39-field) Criteo layout by the first line.</summary>
public static class CriteoLayoutDetector
{
    /// <summary>The layout of the file at <paramref name="path"/>, from its first line.</summary>
    public static CriteoLayout Detect(string path)
    {
        using var reader = new StreamReader(InputFile.OpenRead(path));
        string? first;
        try
        {
            first = reader.ReadLine() ?? throw new DataFormatException(path, 1, null, 0, "the file is empty");
        }
        catch (InvalidDataException e)
        {
            throw GzipDamage.Error(path, 0, e);
        }
        int fields = first.TrimEnd('\r').Split('\t').Length;
        return fields switch
        {
            40 => CriteoLayout.Labeled,
            39 => CriteoLayout.Unlabeled,
            _ => throw new DataFormatException(path, 1, null, 0, $"{fields} tab-separated fields; a Criteo line has 40 (label first) or 39 (test.txt, no label)"),
        };
    }
}
