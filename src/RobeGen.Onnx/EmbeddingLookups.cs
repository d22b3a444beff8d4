using Onnx;

namespace RobeGen.Onnx;

/// <summary>
/// Each table's lookup as graph nodes over the flat embedding initializer (the model's one embedding parameter
/// array: the ROBE array first, then the Full, Hashed and QuotientRemainder tables at their
/// <see cref="EmbeddingLayout.TableBase"/>), addressed exactly as docs/model-math.md and the backends address it.
/// The constants come from the runtime's own hash (<see cref="RobeHash"/>, <see cref="SignHash"/>), so the exported
/// graph cannot drift from it. Every lookup turns ids [n] (int64, the unsigned id's bits: a batch's single-hot ids, or all
/// the ids of a bag table's rows, which <see cref="BagPoolingGraph"/> then pools) into [n, d] floats.
/// </summary>
internal sealed class EmbeddingLookups
{
    private readonly OnnxGraph _g;
    private readonly EmbeddingLayout _layout;
    private readonly string _weights;
    /// <summary>The int64 constant [0, 1, .., d - 1], made when the first row table needs it (an unused initializer is a checker warning).</summary>
    private string? _coordinates;

    public EmbeddingLookups(OnnxGraph graph, EmbeddingLayout layout, string weights)
    {
        _g = graph;
        _layout = layout;
        _weights = weights;
    }

    /// <summary>The embedding of table <paramref name="table"/> for ids [batch].</summary>
    public string Lookup(int table, string ids)
    {
        string hint = _layout.Declaration.Tables[table].Name;
        return _layout.Storage[table] switch
        {
            EmbeddingStorage.Robe => Robe(table, ids, hint),
            EmbeddingStorage.Full => Full(table, ids, hint),
            EmbeddingStorage.Hashed => Rows(UnsignedIdArithmetic.Mod(_g, ids, _layout.Rows[table], hint + "_row"), _layout.TableBase[table], hint),
            EmbeddingStorage.QuotientRemainder => QuotientRemainder(table, ids, hint),
            var other => throw new OnnxExportException($"Table {hint}: storage {other} has no ONNX export."),
        };
    }

    /// <summary>
    /// ROBE: key = (x + offset) mod P, row term = key R3 mod P, block c starts at ((row term + K_c) mod P) mod range and
    /// coordinate j reads slot start[j / Z] + j mod Z (Circular: mod m; Signed: times the sign hash's sign).
    /// </summary>
    private string Robe(int table, string ids, string hint)
    {
        int dim = _layout.Dim, z = _layout.BlockSize, blocks = _layout.RobeBlocks;
        bool circular = _layout.Variant == RobeVariant.Circular;
        long p = (long)RobeHash.P;
        long range = RobeHash.StartRange(_layout.RobeSlots, z, circular);

        string key = UnsignedIdArithmetic.Key(_g, ids, _layout.Declaration.Tables[table].TokenOffset, hint);
        string rowTerm = _g.Node("Mod", hint + "_row_term", _g.Node("Mul", hint + "_key_r3", key, _g.Int64((long)RobeHash.R3)), _g.Int64(p));
        string column = Unsqueeze(rowTerm, hint + "_row_term_col");

        long[] blockTerms = Enumerable.Range(0, blocks).Select(c => (long)RobeHash.BlockTerm(c)).ToArray();
        string h = _g.Node("Mod", hint + "_h", _g.Node("Add", hint + "_h_sum", column, _g.Int64s(blockTerms, 1, blocks)), _g.Int64(p));
        string starts = _g.Node("Mod", hint + "_starts", h, _g.Int64(range));

        long[] blockOf = Enumerable.Range(0, dim).Select(j => (long)(j / z)).ToArray();
        long[] within = Enumerable.Range(0, dim).Select(j => (long)(j % z)).ToArray();
        string perCoordinate = _g.Node("Gather", hint + "_coordinate_starts", [starts, _g.Int64s(blockOf)], n => n.Attribute.Add(OnnxGraph.Int("axis", 1)));
        string slots = _g.Node("Add", hint + "_slots", perCoordinate, _g.Int64s(within, 1, dim));
        if (circular) slots = _g.Node("Mod", hint + "_wrapped", slots, _g.Int64(_layout.RobeSlots));
        string values = _g.Node("Gather", hint + "_values", _weights, slots);
        if (_layout.Variant != RobeVariant.Signed) return values;

        // g = (key S3 + j S2 + S1) mod P; the sign is +1 when bit 0 of g is clear: 1 - 2 (g mod 2).
        string signTerm = _g.Node("Mod", hint + "_sign_row", _g.Node("Mul", hint + "_key_s3", key, _g.Int64((long)SignHash.S3)), _g.Int64(p));
        long[] coordinateTerms = Enumerable.Range(0, dim).Select(j => (long)SignHash.CoordinateTerm(j)).ToArray();
        string signHash = _g.Node("Mod", hint + "_sign_hash",
            _g.Node("Add", hint + "_sign_sum", Unsqueeze(signTerm, hint + "_sign_col"), _g.Int64s(coordinateTerms, 1, dim)), _g.Int64(p));
        string bit = _g.Node("Cast", hint + "_sign_bit", [_g.Node("Mod", hint + "_bit", signHash, _g.Int64(2))],
            n => n.Attribute.Add(OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Float)));
        string sign = _g.Node("Sub", hint + "_sign", _g.Float(1f), _g.Node("Mul", hint + "_two_bits", bit, _g.Float(2f)));
        return _g.Node("Mul", hint + "_signed", values, sign);
    }

    /// <summary>Full: row = id when id &lt; rows; an id past the table reads zeros (as the CUDA kernels do).</summary>
    private string Full(int table, string ids, string hint)
    {
        long rows = _layout.Rows[table];
        string inRange = _g.Node("And", hint + "_in_range",
            _g.Node("GreaterOrEqual", hint + "_nonneg", ids, _g.Int64(0)), _g.Node("Less", hint + "_below_rows", ids, _g.Int64(rows)));
        string row = _g.Node("Where", hint + "_row", inRange, ids, _g.Int64(0));
        string values = Rows(row, _layout.TableBase[table], hint);
        string mask = _g.Node("Cast", hint + "_mask", [Unsqueeze(inRange, hint + "_mask_col")],
            n => n.Attribute.Add(OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Float)));
        return _g.Node("Mul", hint + "_masked", values, mask);
    }

    /// <summary>QuotientRemainder: Q[(x div R) mod Q] * Rm[x mod R], the remainder rows after the Q quotient rows.</summary>
    private string QuotientRemainder(int table, string ids, string hint)
    {
        long r = _layout.Rows[table], q = _layout.QuotientRows[table];
        string quotientRow = UnsignedIdArithmetic.QuotientMod(_g, ids, r, q, hint + "_quotient_row");
        string remainderRow = UnsignedIdArithmetic.Mod(_g, ids, r, hint + "_remainder_row");
        long tableBase = _layout.TableBase[table];
        string quotient = Rows(quotientRow, tableBase, hint + "_quotient");
        string remainder = Rows(remainderRow, tableBase + q * _layout.Dim, hint + "_remainder");
        return _g.Node("Mul", hint + "_product", quotient, remainder);
    }

    /// <summary>The d-wide row <paramref name="row"/> of a table starting at <paramref name="tableBase"/>: slots base + row d + j.</summary>
    private string Rows(string row, long tableBase, string hint)
    {
        string start = _g.Node("Add", hint + "_row_start", _g.Node("Mul", hint + "_row_offset", row, _g.Int64(_layout.Dim)), _g.Int64(tableBase));
        _coordinates ??= _g.Int64s(Enumerable.Range(0, _layout.Dim).Select(j => (long)j).ToArray());
        string slots = _g.Node("Add", hint + "_row_slots", Unsqueeze(start, hint + "_row_start_col"), _coordinates);
        return _g.Node("Gather", hint + "_row_values", _weights, slots);
    }

    private string Unsqueeze(string value, string hint) => _g.Node("Unsqueeze", hint, value, _g.Int64s([1]));
}
