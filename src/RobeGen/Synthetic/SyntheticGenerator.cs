using System.Buffers;
using System.Runtime.CompilerServices;
using RobeGen.Data;

namespace RobeGen.Synthetic;

/// <summary>
/// Produces the rows of a <see cref="SyntheticSpec"/>: row i is a pure function of (spec, i), drawn from its own
/// random stream, so rows can be made on any number of threads, in any order, from any position.
/// </summary>
/// <remarks>
/// A row: 13 integer counts (log-normal, some missing), 26 tokens (column c's rank k ~ Zipf over its cardinality,
/// written as the 32-bit id Permute(k), so frequent ids look like any other hash), and a label drawn from the hidden
/// teacher: P(click) = sigmoid(bias + dense terms + one hashed weight per token + dot products of hashed 4-vectors of
/// a few column pairs), or with <see cref="SyntheticTeacher.Structured"/> the same with clustered latent vectors in
/// place of the per-token weights and 4-vectors (<see cref="StructuredTeacher"/>). The teacher's probabilities are the best any model can predict, so its AUC on a sample is the
/// ceiling of a study. Nothing is allocated per row.
/// </remarks>
public sealed class SyntheticGenerator
{
    /// <summary>Dense values per row (13, as Criteo).</summary>
    public const int DenseColumns = CriteoSchema.DenseFeatures;
    /// <summary>Tokens per row (26, as Criteo).</summary>
    public const int TokenColumns = CriteoSchema.CategoricalFeatures;
    private const int InteractionWidth = 4;
    private const int CalibrationRows = 1 << 16;
    /// <summary>Columns a structured row's latent is read after its draw (<see cref="StructuredFeatures"/>): time for its
    /// prefetch to arrive, while the next draws run.</summary>
    private const int LatentLag = 4;
    /// <summary>Rows at and above this index feed only the bias calibration (no data set reaches them).</summary>
    private const long CalibrationRowBase = 1L << 60;

    private readonly ulong _seed;
    /// <summary>StreamHash.Stream(seed, Row): row i's random stream starts from KeyOf(_rowStream, i).</summary>
    private readonly ulong _rowStream;
    private readonly ZipfSampler[] _samplers;
    private readonly ulong[] _idKeys = new ulong[TokenColumns];
    private readonly ulong[] _weightKeys = new ulong[TokenColumns];
    private readonly double[] _denseMu = new double[DenseColumns];
    private readonly double[] _denseSd = new double[DenseColumns];
    private readonly double[] _denseWeight = new double[DenseColumns];
    private readonly (int A, int B, ulong KeyA, ulong KeyB)[] _pairs;
    private readonly double _tokenScale, _interactionScale;
    /// <summary>The declaration whose multi-hot columns this generator draws as bags (null: single-hot rows).</summary>
    private readonly ModelDeclaration? _multiHot;
    /// <summary>The structured teacher's token terms (null: the independent teacher).</summary>
    private readonly StructuredTeacher? _structured;

    /// <summary>Per token column: ids per multi-hot cell (0: single-hot), and how the teacher pools them.</summary>
    private readonly int[] _hotness = new int[TokenColumns];
    private readonly Pooling[] _pooling = new Pooling[TokenColumns];
    /// <summary>Where token column c's bag starts in a multi-hot row's ids (room for <see cref="MaxIds"/> each); the last entry is the total.</summary>
    private readonly int[] _bagStarts = new int[TokenColumns + 1];

    /// <summary>A generator of the data set <paramref name="spec"/> describes.</summary>
    public SyntheticGenerator(SyntheticSpec spec)
        : this(spec, null, givesIndices: false)
    {
    }

    private SyntheticGenerator(SyntheticSpec spec, ModelDeclaration? multiHot, bool givesIndices)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        _multiHot = multiHot;
        GivesIndices = givesIndices;
        if (multiHot is not null)
        {
            foreach (EmbeddingTable table in multiHot.Tables.Where(t => t.IsMultiHot))
            {
                if (table.Column >= TokenColumns)
                    throw new ArgumentException($"Table {table.Name} of {multiHot.Name} reads column {table.Column}; synthetic rows have {TokenColumns} token columns.", nameof(multiHot));
                _hotness[table.Column] = Math.Max(1, table.Hotness);
                _pooling[table.Column] = table.Pooling;
            }
            IsMultiHot = true;
        }
        for (int c = 0; c < TokenColumns; c++) _bagStarts[c + 1] = _bagStarts[c] + MaxIds(c);
        _seed = unchecked((ulong)spec.Seed);
        _rowStream = StreamHash.Stream(_seed, (ulong)SyntheticStream.Row);
        _samplers = spec.Cardinalities.Select(c => new ZipfSampler(c, spec.ZipfExponent)).ToArray();
        for (int c = 0; c < TokenColumns; c++)
        {
            _idKeys[c] = StreamHash.Key(_seed, (ulong)SyntheticStream.TokenId, (ulong)c);
            _weightKeys[c] = StreamHash.Key(_seed, (ulong)SyntheticStream.TokenWeight, (ulong)c);
        }
        for (int j = 0; j < DenseColumns; j++)
        {
            // Counts spread like Criteo's: medians from 1 to ~50, wide log-normal tails.
            _denseMu[j] = 4.0 * Unit(StreamHash.Key(_seed, (ulong)SyntheticStream.Dense, (ulong)(3 * j)));
            _denseSd[j] = 0.5 + 1.0 * Unit(StreamHash.Key(_seed, (ulong)SyntheticStream.Dense, (ulong)(3 * j + 1)));
            _denseWeight[j] = spec.DenseSignal * StreamHash.UnitVariance(StreamHash.Key(_seed, (ulong)SyntheticStream.Dense, (ulong)(3 * j + 2)));
        }
        _pairs = ChoosePairs(spec.InteractionPairs);
        _tokenScale = spec.TokenSignal;
        // Each term is a dot of two unit-variance 4-vectors: variance 4, hence the 1/2.
        _interactionScale = spec.InteractionSignal / Math.Sqrt(InteractionWidth);
        if (spec.Teacher == SyntheticTeacher.Structured) _structured = new StructuredTeacher(spec, Pairs);
        Bias = CalibrateBias(spec.TargetCtr);
    }

    /// <summary>What the data set looks like.</summary>
    public SyntheticSpec Spec { get; }

    /// <summary>True for a generator of multi-hot rows (<see cref="ForMultiHot"/>).</summary>
    public bool IsMultiHot { get; }

    /// <summary>True when tokens are written as vocabulary indices (<see cref="ForIndices"/>).</summary>
    public bool GivesIndices { get; }

    /// <summary>
    /// The same rows with every token written as its vocabulary index, rank + 1, instead of its hashed 32-bit id; index 0
    /// (missing and rare ids) is never drawn. Labels, counts and bags are unchanged. This is the form of MLPerf's
    /// pre-indexed day files: a model that takes vocabulary indices (Full tables, vocabulary-token models) reads the rows
    /// without a vocabulary counted over them, which for a billion rows would be a pass as long as the training.
    /// </summary>
    public SyntheticGenerator ForIndices() => GivesIndices ? this : new SyntheticGenerator(Spec, _multiHot, givesIndices: true);

    /// <summary>
    /// The same data set with the multi-hot columns of <paramref name="declaration"/> (its multi-hot tables' columns): each
    /// such cell holds a bag of L ids, L uniform on 1 .. 2 Hotness - 1 (mean Hotness; exactly 1 for Hotness 1), every id an
    /// independent draw of the column's Zipf sampler (so a bag may repeat an id). The teacher pools the ids' hashed weights
    /// as the table does: their mean for Mean, their sum scaled by 1 / sqrt(Hotness) for Sum (so a bag's term has about
    /// the variance of one id's, whatever the hotness); the column pairs interact through each bag's first id. Single-hot
    /// columns are drawn as before, but the rows differ from the single-hot generator's (one random stream per row).
    /// </summary>
    public SyntheticGenerator ForMultiHot(ModelDeclaration declaration)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        if (!declaration.HasMultiHotTables) throw new ArgumentException($"{declaration.Name} has no multi-hot table.", nameof(declaration));
        return new SyntheticGenerator(Spec, declaration, GivesIndices);
    }

    /// <summary>Ids a multi-hot row holds at most in token column <paramref name="column"/>.</summary>
    public int MaxIds(int column) => _hotness[column] == 0 ? 1 : 2 * _hotness[column] - 1;

    /// <summary>Ids a multi-hot row holds at most over all token columns: the size of <see cref="BagRow"/>'s ids.</summary>
    public int MaxRowIds => _bagStarts[TokenColumns];

    /// <summary>Where token column <paramref name="column"/>'s bag starts in <see cref="BagRow"/>'s ids.</summary>
    public int BagStart(int column) => _bagStarts[column];

    /// <summary>
    /// Writes multi-hot row <paramref name="row"/> of this multi-hot generator: counts (-1 for missing) and, per token column
    /// c, its bag's ids at ids[<see cref="BagStart"/>(c) ..] and its length in lengths[c]; returns the teacher's logit and
    /// draws the label from it (the row <see cref="FillBags"/> puts in a batch).
    /// </summary>
    public double BagRow(long row, Span<long> counts, Span<int> lengths, Span<uint> ids, out bool clicked)
    {
        if (!IsMultiHot) throw new InvalidOperationException("This generator makes single-hot rows; use ForMultiHot(declaration).");
        if (counts.Length < DenseColumns || lengths.Length < TokenColumns || ids.Length < MaxRowIds)
            throw new ArgumentException($"A multi-hot row needs {DenseColumns} counts, {TokenColumns} lengths and {MaxRowIds} ids.");
        Span<float> dense = stackalloc float[DenseColumns];
        return DrawBagRow(row, counts, dense, lengths, ids, out clicked);
    }

    /// <summary><see cref="BagRow"/> unchecked, also writing the dense values the model sees (<see cref="DenseValue"/>).</summary>
    [SkipLocalsInit] // BagFeatures writes every rank it reads
    private double DrawBagRow(long row, Span<long> counts, Span<float> dense, Span<int> lengths, Span<uint> ids, out bool clicked)
    {
        Span<long> ranks = stackalloc long[TokenColumns];
        // Hotness is the declaration's choice: past 16 KB of ranks (MLPerf's multi-hot rows take about 3 KB) they go to the heap.
        Span<long> idRanks = MaxRowIds <= 2048 ? stackalloc long[MaxRowIds] : new long[MaxRowIds];
        var random = new RowRandom(StreamHash.KeyOf(_rowStream, (ulong)row));
        double logit = Bias + BagFeatures(ref random, counts, dense, lengths, ranks, idRanks, ids, _bagStarts);
        clicked = random.NextUniform() < Sigmoid(logit);
        return logit;
    }

    /// <summary>The teacher's intercept, tuned so that its mean click probability is the spec's target CTR.</summary>
    public double Bias { get; }

    /// <summary>The column pairs whose tokens interact in the teacher.</summary>
    public IEnumerable<(int A, int B)> Pairs => _pairs.Select(p => (p.A, p.B));

    /// <summary>The 32-bit id of the token of rank <paramref name="rank"/> in <paramref name="column"/> (distinct ranks, distinct
    /// ids): a keyed permutation of the rank, or rank + 1 for a generator that <see cref="GivesIndices"/>.</summary>
    public uint TokenId(int column, long rank) => GivesIndices ? (uint)(rank + 1) : StreamHash.Permute32((uint)rank, _idKeys[column]);

    /// <summary>
    /// Writes row <paramref name="row"/>: counts (-1 for missing), token ranks and ids; returns the teacher's logit and
    /// draws the label from it.
    /// </summary>
    public double Row(long row, Span<long> counts, Span<long> ranks, Span<uint> ids, out bool clicked)
    {
        Span<float> dense = stackalloc float[DenseColumns];
        return DrawRow(row, counts, dense, ranks, ids, out _, out clicked);
    }

    /// <summary><see cref="Row"/>, also writing the dense values the model sees (<see cref="DenseValue"/>) and giving the
    /// teacher's click probability, so that a batch works out neither twice.</summary>
    private double DrawRow(long row, Span<long> counts, Span<float> dense, Span<long> ranks, Span<uint> ids, out double probability, out bool clicked)
    {
        var random = new RowRandom(StreamHash.KeyOf(_rowStream, (ulong)row));
        double logit = Bias + Features(ref random, counts, dense, ranks, ids);
        probability = Sigmoid(logit);
        clicked = random.NextUniform() < probability;
        return logit;
    }

    /// <summary>
    /// Fills <paramref name="batch"/> (13 dense, 26 token columns, as the Criteo reader would) with rows
    /// firstRow .. firstRow + count - 1, on several threads when the batch is large; optionally also the teacher's
    /// click probability of each row.
    /// </summary>
    public void Fill(Batch batch, long firstRow, int count, Span<float> teacherProbabilities = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.DenseFeatures != DenseColumns || batch.Tables != TokenColumns)
            throw new ArgumentException($"Synthetic rows have {DenseColumns} dense and {TokenColumns} token columns; the batch has {batch.DenseFeatures} and {batch.Tables}.", nameof(batch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, batch.Capacity);
        if (!teacherProbabilities.IsEmpty && teacherProbabilities.Length < count) throw new ArgumentException("Too few teacher probability slots.", nameof(teacherProbabilities));
        int chunkRows = ChunkRows(count, 128);
        int chunks = (count + chunkRows - 1) / chunkRows;
        float[]? teacher = null;
        if (chunks <= 1)
        {
            FillRange(batch, firstRow, 0, count, teacherProbabilities);
        }
        else
        {
            // Spans cannot cross into the parallel lambda: write probabilities to an array, copy after.
            teacher = teacherProbabilities.IsEmpty ? null : new float[count];
            Parallel.For(0, chunks, OnCurrentScheduler, k =>
            {
                int start = k * chunkRows, end = Math.Min(count, start + chunkRows);
                FillRange(batch, firstRow, start, end, teacher is null ? default : teacher.AsSpan());
            });
            teacher?.CopyTo(teacherProbabilities);
        }
        batch.Count = count;
    }

    private void FillRange(Batch batch, long firstRow, int start, int end, Span<float> teacher)
    {
        Span<long> counts = stackalloc long[DenseColumns];
        Span<long> ranks = stackalloc long[TokenColumns];
        Span<uint> ids = stackalloc uint[TokenColumns];
        for (int r = start; r < end; r++)
        {
            DrawRow(firstRow + r, counts, batch.Dense.AsSpan(r * DenseColumns, DenseColumns), ranks, ids, out double probability, out bool clicked);
            batch.Labels[r] = clicked ? 1f : 0f;
            Span<ulong> tokens = batch.Tokens.AsSpan(r * TokenColumns, TokenColumns);
            for (int c = 0; c < TokenColumns; c++) tokens[c] = ids[c];
            if (!teacher.IsEmpty) teacher[r] = (float)probability;
        }
    }

    /// <summary>
    /// Fills the multi-hot <paramref name="batch"/> of a model with rows firstRow .. firstRow + count - 1 of this
    /// multi-hot generator: the first <paramref name="denseFeatures"/> dense columns and, for table t, the bag of token
    /// column <paramref name="columns"/>[t] (every cell of a single-hot column holds one id).
    /// </summary>
    public void FillBags(Batch batch, long firstRow, int count, int denseFeatures, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(columns);
        if (!IsMultiHot) throw new InvalidOperationException("This generator makes single-hot rows; use ForMultiHot(declaration).");
        if (!batch.IsMultiHot || batch.DenseFeatures != denseFeatures || batch.Tables != columns.Count || denseFeatures > DenseColumns)
            throw new ArgumentException($"The batch must be multi-hot with {denseFeatures} dense features and {columns.Count} tables.", nameof(batch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, batch.Capacity);
        int tables = columns.Count;
        int rowIds = 0;
        foreach (int c in columns) rowIds += MaxIds(c);
        // Rows are drawn in parallel chunks (as Fill does): each chunk writes its bags' lengths into BagOffsets and its ids
        // into a pooled scratch array; one prefix sum turns lengths into offsets, then the chunks copy their ids into place.
        int chunkRows = ChunkRows(count, 64);
        int chunks = Math.Max(1, (count + chunkRows - 1) / chunkRows);
        var scratch = new ulong[chunks][];
        var chunkIds = new int[chunks];
        try
        {
            Parallel.For(0, chunks, OnCurrentScheduler, k =>
            {
                int start = k * chunkRows, end = Math.Min(count, start + chunkRows);
                ulong[] local = scratch[k] = ArrayPool<ulong>.Shared.Rent(Math.Max(1, (end - start) * rowIds));
                chunkIds[k] = DrawBags(batch, firstRow, start, end, denseFeatures, columns, local);
            });
            int[] offsets = batch.BagOffsets;
            offsets[0] = 0;
            for (int i = 1; i <= count * tables; i++) offsets[i] += offsets[i - 1];
            batch.EnsureIdCapacity(offsets[count * tables]);
            Parallel.For(0, chunks, OnCurrentScheduler, k =>
            {
                int start = k * chunkRows;
                scratch[k].AsSpan(0, chunkIds[k]).CopyTo(batch.BagIds.AsSpan(offsets[start * tables]));
            });
        }
        finally
        {
            foreach (ulong[]? local in scratch) if (local is not null) ArrayPool<ulong>.Shared.Return(local);
        }
        batch.Count = count;
    }

    /// <summary>Draws rows start .. end - 1 of a multi-hot batch: labels and dense values in place, each bag's length at
    /// BagOffsets[cell + 1] (FillBags sums them into offsets), the ids one after another in <paramref name="ids"/>; returns how many.</summary>
    private int DrawBags(Batch batch, long firstRow, int start, int end, int denseFeatures, IReadOnlyList<int> columns, ulong[] ids)
    {
        int tables = columns.Count;
        Span<long> counts = stackalloc long[DenseColumns];
        Span<float> dense = stackalloc float[DenseColumns];
        Span<int> lengths = stackalloc int[TokenColumns];
        Span<uint> row = new uint[MaxRowIds];
        int next = 0;
        for (int r = start; r < end; r++)
        {
            DrawBagRow(firstRow + r, counts, dense, lengths, row, out bool clicked);
            batch.Labels[r] = clicked ? 1f : 0f;
            dense[..denseFeatures].CopyTo(batch.Dense.AsSpan(r * denseFeatures, denseFeatures));
            for (int t = 0; t < tables; t++)
            {
                int c = columns[t], length = lengths[c];
                for (int i = 0; i < length; i++) ids[next + i] = row[_bagStarts[c] + i];
                next += length;
                batch.BagOffsets[r * tables + t + 1] = length;
            }
        }
        return next;
    }

    /// <summary>A multi-hot row's features: as <see cref="Features"/>, but a multi-hot column draws a bag (its ids at
    /// ids[starts[c] ..], its length in lengths[c]) whose weights the teacher pools; ranks[c] is the bag's first id's rank,
    /// and every id's rank goes to idRanks at the id's place.</summary>
    private double BagFeatures(
        ref RowRandom random, Span<long> counts, Span<float> dense, Span<int> lengths, Span<long> ranks, Span<long> idRanks, Span<uint> ids, ReadOnlySpan<int> starts)
    {
        double logit = DenseFeatures(ref random, counts, dense);
        StructuredTeacher? structured = _structured;
        int latentRank = structured?.Rank ?? 0;
        Span<double> latents = stackalloc double[TokenColumns * latentRank];
        latents.Clear();
        int segment = structured?.Segment(ref random) ?? -1;
        double linear = 0;
        for (int c = 0; c < TokenColumns; c++)
        {
            int hotness = _hotness[c];
            int length = hotness == 0 ? 1 : 1 + Math.Min(2 * hotness - 2, (int)(random.NextUniform() * (2 * hotness - 1)));
            lengths[c] = length;
            Span<long> bag = idRanks.Slice(starts[c], length);
            DrawBag(ref random, c, segment, bag);
            ranks[c] = bag[0];
            for (int k = 0; k < length; k++)
            {
                ids[starts[c] + k] = TokenId(c, bag[k]);
                structured?.Prefetch(c, bag[k]);
            }
            if (structured is not null)
            {
                // Column c - 1's latents are read now, while column c's prefetches arrive (see StructuredFeatures).
                if (c > 0) linear = PoolBag(structured, c - 1, lengths, idRanks, starts, latents, linear);
                continue;
            }
            double pooled = 0;
            foreach (long rank in bag) pooled += StreamHash.UnitVariance(StreamHash.Mix(_weightKeys[c] ^ (ulong)rank));
            if (hotness > 0) pooled = _pooling[c] == Pooling.Mean ? pooled / length : pooled / Math.Sqrt(hotness);
            logit += _tokenScale * pooled;
        }
        if (structured is null) return PairTerms(ranks, logit);
        linear = PoolBag(structured, TokenColumns - 1, lengths, idRanks, starts, latents, linear);
        return logit + structured.Combine(linear, structured.Interactions(latents));
    }

    /// <summary>The ranks of one bag of column <paramref name="column"/>, in draw order: two at a time
    /// (<see cref="ZipfSampler.SamplePair"/>) without a segment, the same draws as one at a time.</summary>
    private void DrawBag(ref RowRandom random, int column, int segment, Span<long> bag)
    {
        ZipfSampler sampler = _samplers[column];
        int k = 0;
        if (segment < 0)
            for (; k + 1 < bag.Length; k += 2) ZipfSampler.SamplePair(sampler, sampler, ref random, out bag[k], out bag[k + 1]);
        for (; k < bag.Length; k++) bag[k] = segment < 0 ? sampler.Sample(ref random) : _structured!.Draw(ref random, sampler, column, segment);
    }

    /// <summary>
    /// Pools the latents of column <paramref name="column"/>'s bag into its cell of <paramref name="latents"/> (in the bag's
    /// order, as the table pools its rows: the mean for Mean, the sum / sqrt(hotness) for Sum) and returns
    /// <paramref name="linear"/> plus the cell's linear read-out.
    /// </summary>
    private double PoolBag(
        StructuredTeacher structured, int column, ReadOnlySpan<int> lengths, ReadOnlySpan<long> idRanks, ReadOnlySpan<int> starts, Span<double> latents, double linear)
    {
        int hotness = _hotness[column], length = lengths[column];
        double share = hotness == 0 ? 1.0 : _pooling[column] == Pooling.Mean ? 1.0 / length : 1.0 / Math.Sqrt(hotness);
        Span<double> cell = latents.Slice(column * structured.Rank, structured.Rank);
        foreach (long rank in idRanks.Slice(starts[column], length)) structured.AddLatent(column, rank, share, cell);
        return structured.AddLinear(column, cell, linear);
    }

    /// <summary>The dense columns' draws (counts, and the values the model sees in <paramref name="dense"/>) and their teacher terms.</summary>
    private double DenseFeatures(ref RowRandom random, Span<long> counts, Span<float> dense)
    {
        double logit = 0;
        for (int j = 0; j < DenseColumns; j++)
        {
            if (random.NextUniform() < Spec.DenseMissing)
            {
                counts[j] = -1;
                dense[j] = DenseValue(-1);
                continue;
            }
            double value = Math.Exp(_denseMu[j] + _denseSd[j] * random.NextRoughNormal());
            long count = (long)Math.Min(value, 1e9);
            float input = DenseValue(count);
            counts[j] = count;
            dense[j] = input;
            logit += _denseWeight[j] * (input - 1.5);
        }
        return logit;
    }

    /// <summary><paramref name="logit"/> plus the interacting column pairs' terms (dot products of hashed 4-vectors of their
    /// ranks), added one by one in pair order.</summary>
    private double PairTerms(ReadOnlySpan<long> ranks, double logit)
    {
        foreach ((int a, int b, ulong keyA, ulong keyB) in _pairs)
        {
            double dot = 0;
            ulong ha = keyA ^ ((ulong)ranks[a] * InteractionWidth), hb = keyB ^ ((ulong)ranks[b] * InteractionWidth);
            for (int k = 0; k < InteractionWidth; k++)
                dot += StreamHash.UnitVariance(StreamHash.Mix(ha + (ulong)k)) * StreamHash.UnitVariance(StreamHash.Mix(hb + (ulong)k));
            logit += _interactionScale * dot;
        }
        return logit;
    }

    /// <summary>The dense input the model sees for a count: exactly what the Criteo parser makes of it (missing: 0).</summary>
    private static float DenseValue(long count) => count < 0 ? 0f : CriteoLineParser.Log1p((ulong)count);

    /// <summary>Draws the row's features and returns the teacher's logit without the bias.</summary>
    private double Features(ref RowRandom random, Span<long> counts, Span<float> dense, Span<long> ranks, Span<uint> ids)
    {
        double logit = DenseFeatures(ref random, counts, dense);
        if (_structured is not null) return StructuredFeatures(ref random, ranks, ids, logit);
        for (int c = 0; c < TokenColumns; c += 2)
        {
            ZipfSampler.SamplePair(_samplers[c], _samplers[c + 1], ref random, out ranks[c], out ranks[c + 1]);
            for (int k = c; k < c + 2; k++)
            {
                ids[k] = TokenId(k, ranks[k]);
                logit += _tokenScale * StreamHash.UnitVariance(StreamHash.Mix(_weightKeys[k] ^ (ulong)ranks[k]));
            }
        }
        return PairTerms(ranks, logit);
    }

    /// <summary>
    /// A single-hot row's tokens under the structured teacher: <paramref name="logit"/> plus the teacher's token terms
    /// (<see cref="StructuredTeacher.AddLinear"/> over the columns in order, then <see cref="StructuredTeacher.Combine"/> with
    /// the pairs' <see cref="StructuredTeacher.Interactions"/>; each column's latent 0 + 1 * its id's). The latents are
    /// read <see cref="LatentLag"/> columns after their draw, once their prefetch has had time to arrive, and each column's
    /// linear read-out is added as soon as its latent is in (the same sum, in the same order), so that the read-out's long
    /// chain of additions runs beside the draws rather than after them.
    /// </summary>
    [SkipLocalsInit] // the latents are cleared below, as AddLatent adds into them
    private double StructuredFeatures(ref RowRandom random, Span<long> ranks, Span<uint> ids, double logit)
    {
        StructuredTeacher structured = _structured!;
        Span<double> latents = stackalloc double[TokenColumns * structured.Rank];
        latents.Clear();
        int segment = structured.Segment(ref random);
        double linear = 0;
        for (int c = 0; c < TokenColumns; c += 2)
        {
            if (segment < 0) ZipfSampler.SamplePair(_samplers[c], _samplers[c + 1], ref random, out ranks[c], out ranks[c + 1]);
            else
            {
                ranks[c] = structured.Draw(ref random, _samplers[c], c, segment);
                ranks[c + 1] = structured.Draw(ref random, _samplers[c + 1], c + 1, segment);
            }
            for (int k = c; k < c + 2; k++)
            {
                ids[k] = TokenId(k, ranks[k]);
                structured.Prefetch(k, ranks[k]);
                if (k >= LatentLag) linear = AddColumnLatent(structured, k - LatentLag, ranks, latents, linear);
            }
        }
        for (int c = TokenColumns - LatentLag; c < TokenColumns; c++) linear = AddColumnLatent(structured, c, ranks, latents, linear);
        return logit + structured.Combine(linear, structured.Interactions(latents));
    }

    /// <summary>Adds column <paramref name="column"/>'s token latent to its cell of <paramref name="latents"/> and returns
    /// <paramref name="linear"/> plus the cell's linear read-out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double AddColumnLatent(StructuredTeacher structured, int column, ReadOnlySpan<long> ranks, Span<double> latents, double linear)
    {
        Span<double> cell = latents.Slice(column * structured.Rank, structured.Rank);
        structured.AddLatent(column, ranks[column], 1.0, cell);
        return structured.AddLinear(column, cell, linear);
    }

    /// <summary>The spec's interacting column pairs, each with the keys of its two hashed 4-vectors (the same pairs for
    /// both teachers).</summary>
    private (int, int, ulong, ulong)[] ChoosePairs(int count)
    {
        var chosen = new List<(int, int, ulong, ulong)>();
        var seen = new HashSet<(int, int)>();
        for (ulong i = 0; chosen.Count < count; i++)
        {
            ulong h = StreamHash.Key(_seed, (ulong)SyntheticStream.Pair, i);
            int a = (int)(h % TokenColumns), b = (int)((h >> 32) % TokenColumns);
            if (a == b || !seen.Add((Math.Min(a, b), Math.Max(a, b)))) continue;
            int p = chosen.Count;
            chosen.Add((a, b, StreamHash.Key(_seed, (ulong)SyntheticStream.Interaction, (ulong)(2 * p)), StreamHash.Key(_seed, (ulong)SyntheticStream.Interaction, (ulong)(2 * p + 1))));
        }
        return chosen.ToArray();
    }

    /// <summary>The bias b with mean sigmoid(b + z) = ctr over a fixed calibration sample of rows (bisection).</summary>
    private double CalibrateBias(double ctr)
    {
        var z = new double[CalibrationRows];
        Parallel.For(0, CalibrationRows / 1024, k =>
        {
            Span<long> counts = stackalloc long[DenseColumns];
            Span<float> dense = stackalloc float[DenseColumns];
            Span<long> ranks = stackalloc long[TokenColumns];
            Span<int> lengths = stackalloc int[TokenColumns];
            var ids = new uint[MaxRowIds];
            var idRanks = new long[MaxRowIds];
            for (int i = k * 1024; i < (k + 1) * 1024; i++)
            {
                var random = new RowRandom(StreamHash.KeyOf(_rowStream, (ulong)(CalibrationRowBase + i)));
                z[i] = IsMultiHot
                    ? BagFeatures(ref random, counts, dense, lengths, ranks, idRanks, ids, _bagStarts)
                    : Features(ref random, counts, dense, ranks, ids);
            }
        });
        double low = -30, high = 30;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double mid = 0.5 * (low + high), mean = 0;
            foreach (double v in z) mean += Sigmoid(mid + v);
            if (mean / z.Length < ctr) low = mid; else high = mid;
        }
        return 0.5 * (low + high);
    }

    /// <summary>Rows per parallel chunk of <paramref name="count"/> rows: about two chunks per core, none under
    /// <paramref name="minimum"/> rows (a small batch skips the thread hop).</summary>
    internal static int ChunkRows(int count, int minimum) =>
        Math.Max(minimum, (count + 2 * Environment.ProcessorCount - 1) / (2 * Environment.ProcessorCount));

    /// <summary>The parallel chunks of a batch go to the scheduler the fill runs on (Parallel.For's default is the thread
    /// pool's): a pass read ahead on a few threads (ReplayedData.ReadAhead) keeps its rows' drawing there.</summary>
    private static ParallelOptions OnCurrentScheduler => new() { TaskScheduler = TaskScheduler.Current };

    internal static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    private static double Unit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));
}
