using System.Numerics;
using ParquetSharp;

namespace RobeGen.Data.Tabular;

/// <summary>What a Parquet column holds, as far as decoding a cell is concerned.</summary>
internal enum ParquetValueKind { Integer, Real, Text }

/// <summary>
/// One Parquet column of one row group, read a chunk of rows at a time into plain buffers (present flags, integers,
/// reals or strings) whatever its physical type: integers of any width and booleans as integers, float and double
/// as reals, strings as text. The generic loops are specialized per type by the JIT, so nothing is boxed.
/// </summary>
internal sealed class ParquetColumn : IParquetChunk
{
    private readonly IDisposable _reader;
    private readonly Func<int, int> _read;

    private ParquetColumn(IDisposable reader, int capacity, ParquetValueKind kind, Func<ParquetColumn, Func<int, int>> read)
    {
        _reader = reader;
        Kind = kind;
        Present = new bool[capacity];
        Integers = kind == ParquetValueKind.Integer ? new long[capacity] : [];
        Reals = kind == ParquetValueKind.Real ? new double[capacity] : [];
        Texts = kind == ParquetValueKind.Text ? new string[capacity] : [];
        _read = read(this);
    }

    public ParquetValueKind Kind { get; }
    public bool[] Present { get; }
    public long[] Integers { get; }
    public double[] Reals { get; }
    /// <summary>Strings of a text column; an element is null where the value is null (ParquetSharp reads into string[]).</summary>
    public string[] Texts { get; }

    /// <summary>Reads the next <paramref name="rows"/> values (at most the capacity) into the buffers.</summary>
    public int Read(int rows) => _read(rows);

    /// <summary>A reader of column <paramref name="column"/> of a row group; null when its type is none of the supported ones.</summary>
    public static ParquetColumn? Open(ColumnReader column, int capacity)
    {
        if (IsPlainInt64(column)) return new(column, capacity, ParquetValueKind.Integer, c => Int64Levels((ColumnReader<long>)column, c));
        LogicalColumnReader reader = column.LogicalReader();
        ParquetColumn? opened = reader switch
        {
            LogicalColumnReader<long?> r => new(r, capacity, ParquetValueKind.Integer, c => OptionalIntegers(r, c)),
            LogicalColumnReader<long> r => new(r, capacity, ParquetValueKind.Integer, c => RequiredIntegers(r, c)),
            LogicalColumnReader<int?> r => new(r, capacity, ParquetValueKind.Integer, c => OptionalIntegers(r, c)),
            LogicalColumnReader<int> r => new(r, capacity, ParquetValueKind.Integer, c => RequiredIntegers(r, c)),
            LogicalColumnReader<short?> r => new(r, capacity, ParquetValueKind.Integer, c => OptionalIntegers(r, c)),
            LogicalColumnReader<short> r => new(r, capacity, ParquetValueKind.Integer, c => RequiredIntegers(r, c)),
            LogicalColumnReader<sbyte?> r => new(r, capacity, ParquetValueKind.Integer, c => OptionalIntegers(r, c)),
            LogicalColumnReader<sbyte> r => new(r, capacity, ParquetValueKind.Integer, c => RequiredIntegers(r, c)),
            LogicalColumnReader<uint?> r => new(r, capacity, ParquetValueKind.Integer, c => OptionalIntegers(r, c)),
            LogicalColumnReader<uint> r => new(r, capacity, ParquetValueKind.Integer, c => RequiredIntegers(r, c)),
            LogicalColumnReader<double?> r => new(r, capacity, ParquetValueKind.Real, c => OptionalReals(r, c)),
            LogicalColumnReader<double> r => new(r, capacity, ParquetValueKind.Real, c => RequiredReals(r, c)),
            LogicalColumnReader<float?> r => new(r, capacity, ParquetValueKind.Real, c => OptionalReals(r, c)),
            LogicalColumnReader<float> r => new(r, capacity, ParquetValueKind.Real, c => RequiredReals(r, c)),
            LogicalColumnReader<bool?> r => new(r, capacity, ParquetValueKind.Integer, c => Booleans(r, c)),
            LogicalColumnReader<bool> r => new(r, capacity, ParquetValueKind.Integer, c => Booleans(r, c)),
            LogicalColumnReader<string> r => new(r, capacity, ParquetValueKind.Text, c => Strings(r, c)),
            _ => null,
        };
        return opened; // when null, the caller disposes the column reader (which the logical reader only wraps)
    }

    /// <summary>
    /// An int64 column that is a plain signed integer (no logical type, or INT(64, signed)), required or optional, not
    /// repeated: what `robegen convert`, pandas and Spark write for integer counts and ids. Read through the physical reader
    /// (definition levels and the packed non-null values) rather than the logical one, whose nullable values cost more
    /// than the decoding itself.
    /// </summary>
    private static bool IsPlainInt64(ColumnReader column) =>
        column is ColumnReader<long> && column.ColumnDescriptor is { MaxRepetitionLevel: 0, MaxDefinitionLevel: <= 1 } descriptor
        && descriptor.LogicalType is NoneLogicalType or IntLogicalType { BitWidth: 64, IsSigned: true };

    private static Func<int, int> Int64Levels(ColumnReader<long> reader, ParquetColumn c)
    {
        bool optional = reader.ColumnDescriptor.MaxDefinitionLevel == 1;
        var definitions = new short[c.Present.Length];
        var repetitions = new short[c.Present.Length];
        var values = new long[c.Present.Length];
        return rows =>
        {
            // A physical read may stop at the end of a data page: read until the rows are in or the row group ends.
            int read = 0, packed = 0;
            while (read < rows && reader.HasNext)
            {
                int levels = (int)reader.ReadBatch(rows - read, definitions.AsSpan(read), repetitions.AsSpan(read), values.AsSpan(packed), out long valuesRead);
                if (levels == 0) break;
                read += levels;
                packed += (int)valuesRead;
            }
            bool[] present = c.Present;
            long[] integers = c.Integers;
            if (!optional)
            {
                values.AsSpan(0, read).CopyTo(integers);
                present.AsSpan(0, read).Fill(true);
                return read;
            }
            for (int i = 0, v = 0; i < read; i++)
            {
                bool has = definitions[i] == 1;
                present[i] = has;
                integers[i] = has ? values[v++] : 0;
            }
            return read;
        };
    }

    private static Func<int, int> OptionalIntegers<T>(LogicalColumnReader<T?> reader, ParquetColumn c) where T : struct, IBinaryInteger<T>
    {
        var buffer = new T?[c.Present.Length];
        return rows =>
        {
            int read = reader.ReadBatch(buffer, 0, rows);
            for (int i = 0; i < read; i++)
            {
                c.Present[i] = buffer[i].HasValue;
                c.Integers[i] = buffer[i].HasValue ? long.CreateTruncating(buffer[i]!.Value) : 0;
            }
            return read;
        };
    }

    private static Func<int, int> RequiredIntegers<T>(LogicalColumnReader<T> reader, ParquetColumn c) where T : struct, IBinaryInteger<T>
    {
        var buffer = new T[c.Present.Length];
        return rows =>
        {
            int read = reader.ReadBatch(buffer, 0, rows);
            for (int i = 0; i < read; i++) c.Integers[i] = long.CreateTruncating(buffer[i]);
            c.Present.AsSpan(0, read).Fill(true);
            return read;
        };
    }

    private static Func<int, int> OptionalReals<T>(LogicalColumnReader<T?> reader, ParquetColumn c) where T : struct, IFloatingPoint<T>
    {
        var buffer = new T?[c.Present.Length];
        return rows =>
        {
            int read = reader.ReadBatch(buffer, 0, rows);
            for (int i = 0; i < read; i++)
            {
                c.Present[i] = buffer[i].HasValue;
                c.Reals[i] = buffer[i].HasValue ? double.CreateChecked(buffer[i]!.Value) : 0;
            }
            return read;
        };
    }

    private static Func<int, int> RequiredReals<T>(LogicalColumnReader<T> reader, ParquetColumn c) where T : struct, IFloatingPoint<T>
    {
        var buffer = new T[c.Present.Length];
        return rows =>
        {
            int read = reader.ReadBatch(buffer, 0, rows);
            for (int i = 0; i < read; i++) c.Reals[i] = double.CreateChecked(buffer[i]);
            c.Present.AsSpan(0, read).Fill(true);
            return read;
        };
    }

    private static Func<int, int> Booleans(LogicalColumnReader<bool?> reader, ParquetColumn c)
    {
        var buffer = new bool?[c.Present.Length];
        return rows =>
        {
            int read = reader.ReadBatch(buffer, 0, rows);
            for (int i = 0; i < read; i++) (c.Present[i], c.Integers[i]) = (buffer[i].HasValue, buffer[i] == true ? 1 : 0);
            return read;
        };
    }

    private static Func<int, int> Booleans(LogicalColumnReader<bool> reader, ParquetColumn c)
    {
        var buffer = new bool[c.Present.Length];
        return rows =>
        {
            int read = reader.ReadBatch(buffer, 0, rows);
            for (int i = 0; i < read; i++) (c.Present[i], c.Integers[i]) = (true, buffer[i] ? 1 : 0);
            return read;
        };
    }

    private static Func<int, int> Strings(LogicalColumnReader<string> reader, ParquetColumn c) => rows =>
    {
        int read = reader.ReadBatch(c.Texts, 0, rows);
        for (int i = 0; i < read; i++) c.Present[i] = c.Texts[i] is not null;
        return read;
    };

    public void Dispose() => _reader.Dispose();
}
