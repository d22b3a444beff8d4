namespace RobeGen.Data.Tabular;

/// <summary>
/// Where each column a model reads sits in a file's columns, found by name. A column the file lacks is an error
/// naming the file, the column and the columns the file has (with a near match when only the case differs).
/// </summary>
internal sealed class HeaderBinding
{
    private HeaderBinding(int label, int[] dense, int[] categorical) => (Label, Dense, Categorical) = (label, dense, categorical);

    /// <summary>The label's position; -1 for unlabeled data.</summary>
    public int Label { get; }
    public int[] Dense { get; }
    public int[] Categorical { get; }

    public static HeaderBinding Bind(IReadOnlyList<string> header, ModelColumns columns, bool labeled, string path, long line, string unit)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Count; i++) positions.TryAdd(header[i], i);
        int Find(string name)
        {
            if (positions.TryGetValue(name, out int position)) return position;
            string? near = header.FirstOrDefault(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
            string hint = near is not null ? $"; did you mean '{near}'? (names are case-sensitive)" : "";
            string has = string.Join(", ", header.Take(30)) + (header.Count > 30 ? $", ... ({header.Count} columns)" : "");
            throw new DataFormatException(path, line, name, 0, $"the model reads column '{name}', which the {unit} does not have{hint}; it has: {has}");
        }
        return new HeaderBinding(labeled ? Find(columns.Label) : -1, columns.Dense.Select(Find).ToArray(), columns.Categorical.Select(Find).ToArray());
    }
}
