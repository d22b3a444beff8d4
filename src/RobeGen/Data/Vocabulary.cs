namespace RobeGen.Data;

/// <summary>
/// Per categorical column, the ids frequent enough to get their own row: id Ids[i] has index i + 1, in ascending
/// id order; index 0 is shared by missing, rare and unseen ids. A Full table over a column therefore needs
/// <see cref="Rows"/> = n + 1 rows. Columns that were not counted have no vocabulary (null).
/// Build one with <see cref="VocabularyBuilder"/>; store it in a checkpoint with <see cref="ToNamedIds"/>.
/// </summary>
public sealed class Vocabulary
{
    private readonly ulong[]?[] _ids;
    private readonly IdHashTable?[] _index;

    internal Vocabulary(ulong[]?[] ids)
    {
        _ids = ids;
        _index = new IdHashTable?[ids.Length];
        for (int c = 0; c < ids.Length; c++)
        {
            if (ids[c] is not { } columnIds) continue;
            var index = new IdHashTable(columnIds.Length);
            for (int i = 0; i < columnIds.Length; i++)
            {
                ref uint slot = ref index.GetOrAdd(columnIds[i]);
                if (slot != 0) throw new ArgumentException($"Vocabulary of C{c + 1} lists id {columnIds[i]:x8} twice.");
                slot = (uint)(i + 1);
            }
            _index[c] = index;
        }
    }

    /// <summary>Categorical columns (26 for Criteo), counted or not.</summary>
    public int Columns => _ids.Length;

    /// <summary>True when <paramref name="column"/> was counted.</summary>
    public bool HasColumn(int column) => _ids[column] is not null;

    /// <summary>The ids of a column in index order (index = position + 1).</summary>
    public ReadOnlySpan<ulong> Ids(int column) => _ids[column] ?? throw NotCounted(column);

    /// <summary>Rows a Full table over the column needs: its ids plus row 0.</summary>
    public long Rows(int column) => Ids(column).Length + 1L;

    /// <summary>The index of an id: 1..n when in the vocabulary, 0 otherwise (missing, rare or unseen).</summary>
    public uint IndexOf(int column, ulong id)
    {
        IdHashTable index = _index[column] ?? throw NotCounted(column);
        return id <= uint.MaxValue && index.TryGetValue(id, out uint value) ? value : 0;
    }

    /// <summary>Counted columns as named arrays ("C1".."C26") for a checkpoint.</summary>
    public IReadOnlyList<NamedIds> ToNamedIds()
    {
        var list = new List<NamedIds>();
        for (int c = 0; c < _ids.Length; c++)
            if (_ids[c] is { } ids) list.Add(new NamedIds(ColumnName(c), ids));
        return list;
    }

    /// <summary>Rebuilds a vocabulary of <paramref name="columns"/> columns from named arrays ("C1".."C26").</summary>
    public static Vocabulary FromNamedIds(IReadOnlyList<NamedIds> arrays, int columns = CriteoSchema.CategoricalFeatures)
    {
        var ids = new ulong[]?[columns];
        foreach (NamedIds array in arrays)
        {
            int column = ParseColumnName(array.Name, columns);
            if (ids[column] is not null) throw new ArgumentException($"Vocabulary {array.Name} appears twice.", nameof(arrays));
            ids[column] = array.Ids;
        }
        return new Vocabulary(ids);
    }

    /// <summary>The name under which a column's ids are stored: C1, C2, ...</summary>
    public static string ColumnName(int column) => $"C{column + 1}";

    private static int ParseColumnName(string name, int columns)
    {
        if (name.Length > 1 && name[0] == 'C' && int.TryParse(name.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= columns)
            return n - 1;
        throw new ArgumentException($"'{name}' is not a categorical column name C1..C{columns}.", nameof(name));
    }

    private static InvalidOperationException NotCounted(int column) =>
        new($"Column {ColumnName(column)} has no vocabulary (it was not counted).");
}
