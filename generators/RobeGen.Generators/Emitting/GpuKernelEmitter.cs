using System;
using System.Collections.Generic;
using System.Linq;
using RobeGen.Generators.Model;
using RobeGen.Generators.Robe;
using static RobeGen.Generators.Emitting.Literals;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// The ILGPU kernels (<c>GpuEmbedding</c>, an IGpuEmbeddingKernels) for the declared layout: one code path per storage
/// kind the declaration uses (ROBE; Full/Hashed rows; QuotientRemainder), each table taking the path of its declared
/// storage, and the declared Z and d built in. One lookup (sample, table) is served by <see cref="GpuLookupPlan.Lanes"/>
/// consecutive threads (32 when d &gt;= 32); lane l moves coordinates l, l + 32, l + 64, ... in steps the generator
/// unrolls, so each load and store instruction of a warp touches 32 consecutive floats (coalesced), every lane issues
/// all its loads before its stores, and a warp running adjacent tables of one kind takes one path. The ROBE block starts
/// of a lookup are hashed once per block by distinct lanes and handed to the other lanes by warp shuffles. The
/// arithmetic (hash, row starts) is the runtime's RobeHash, SignHash and TableRows, which ILGPU inlines.
/// Kernel code is ILGPU-safe: no allocation, spans, LINQ or exceptions.
/// </summary>
internal static class GpuKernelEmitter
{
    private static string Storage(TableStorage storage) => "(int)" + Names.EmbeddingStorage + "." + storage;

    private const string KernelParameters = Names.Index1D + " index, " + Names.GpuEmbeddingArgs + " args, " + Names.GpuTableViews + " tables, " +
        Names.ArrayView + "<float> weights, " + Names.ArrayView + "<ulong> tokens, " + Names.ArrayView + "<long> blockStarts, ";

    private const string GatherTypes = Names.Index1D + ", " + Names.GpuEmbeddingArgs + ", " + Names.GpuTableViews + ", " + Names.ArrayView +
        "<float>, " + Names.ArrayView + "<ulong>, " + Names.ArrayView + "<long>, " + Names.ArrayView + "<float>";

    private const string ScatterTypes = GatherTypes + ", " + Names.ArrayView + "<float>";

    public static void Write(SourceWriter w, DlrmModel model)
    {
        var plan = new GpuLookupPlan(model);
        var paths = StoragePaths.Of(model);
        using (w.Block($$"""
            /// <summary>The generated ILGPU embedding kernels of this model, for its declared layout (storage of every table and Z built in).</summary>
            public sealed class GpuEmbedding : {{Names.GpuEmbeddingKernels}}
            """))
        {
            w.WriteLine($$"""
                /// <summary>Threads per (sample, table) lookup: the largest power of two up to min(32, d).</summary>
                public const int LookupLanes = {{Int(plan.Lanes)}};

                /// <summary>The one instance (the kernels keep no state).</summary>
                public static GpuEmbedding Instance { get; } = new GpuEmbedding();

                private GpuEmbedding() { }

                /// <inheritdoc/>
                public int ThreadsPerLookup => LookupLanes;

                /// <inheritdoc/>
                public global::System.Action<{{GatherTypes}}> LoadGather({{Names.Accelerator}} accelerator) =>
                    {{Names.KernelLoaders}}.LoadAutoGroupedStreamKernel<{{GatherTypes}}>(accelerator, GatherKernel);

                /// <inheritdoc/>
                public global::System.Action<{{ScatterTypes}}> LoadScatterAtomic({{Names.Accelerator}} accelerator) =>
                    {{Names.KernelLoaders}}.LoadAutoGroupedStreamKernel<{{ScatterTypes}}>(accelerator, ScatterAtomicKernel);

                """);
            var kernel = new KernelText(model, plan, paths);
            kernel.WriteGather(w);
            w.WriteLine();
            kernel.WriteScatter(w);
            if (model.HasMultiHotTables)
            {
                w.WriteLine();
                w.WriteLine($$"""
                    /// <inheritdoc/>
                    public global::System.Action<{{BagGatherTypes}}> LoadGatherBags({{Names.Accelerator}} accelerator) =>
                        {{Names.KernelLoaders}}.LoadAutoGroupedStreamKernel<{{BagGatherTypes}}>(accelerator, GatherBagsKernel);

                    /// <inheritdoc/>
                    public global::System.Action<{{BagScatterTypes}}> LoadScatterBagsAtomic({{Names.Accelerator}} accelerator) =>
                        {{Names.KernelLoaders}}.LoadAutoGroupedStreamKernel<{{BagScatterTypes}}>(accelerator, ScatterBagsAtomicKernel);

                    """);
                kernel.WriteGatherBags(w);
                w.WriteLine();
                kernel.WriteScatterBags(w);
                if (model.Tables.Any(t => t.Pooling == Pooling.Mean))
                {
                    w.WriteLine();
                    WriteIsMean(w, model);
                }
            }
            if (paths.NeedsStorageOf)
            {
                w.WriteLine();
                WriteStorageOf(w, model);
            }
            if (paths.Robe)
            {
                w.WriteLine();
                WriteTokenOffsetOf(w, model);
            }
        }
    }

    private const string BagKernelParameters = Names.Index1D + " index, " + Names.GpuEmbeddingArgs + " args, " + Names.GpuTableViews + " tables, " +
        Names.ArrayView + "<float> weights, " + Names.ArrayView + "<int> bagOffsets, " + Names.ArrayView + "<ulong> bagIds, " + Names.ArrayView + "<long> blockStarts, ";

    private const string BagGatherTypes = Names.Index1D + ", " + Names.GpuEmbeddingArgs + ", " + Names.GpuTableViews + ", " + Names.ArrayView +
        "<float>, " + Names.ArrayView + "<int>, " + Names.ArrayView + "<ulong>, " + Names.ArrayView + "<long>, " + Names.ArrayView + "<float>";

    private const string BagScatterTypes = BagGatherTypes + ", " + Names.ArrayView + "<float>";

    /// <summary>Whether a table index pools by Mean (its bag's sum is divided by the count): the declaration's pooling built in.</summary>
    private static void WriteIsMean(SourceWriter w, DlrmModel model)
    {
        using (w.Block("""
            /// <summary>True for the tables declared with Pooling = Mean.</summary>
            private static bool IsMean(int table)
            """))
        using (w.Block("switch (table)"))
        {
            foreach (TableModel table in model.Tables.Where(t => t.Pooling == Pooling.Mean))
                w.WriteLine("case " + Int(table.Index) + ":");
            w.WriteLine("    return true;");
            w.WriteLine("default: return false;");
        }
    }

    /// <summary>A table index's declared storage: a switch whose default is the most common storage.</summary>
    private static void WriteStorageOf(SourceWriter w, DlrmModel model)
    {
        TableStorage common = model.Tables.GroupBy(t => t.Storage).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        using (w.Block("""
            /// <summary>The declared storage of a table index (as int): which code path its lookups take.</summary>
            private static int StorageOf(int table)
            """))
        using (w.Block("switch (table)"))
        {
            foreach (TableModel table in model.Tables.Where(t => t.Storage != common))
                w.WriteLine("case " + Int(table.Index) + ": return " + Storage(table.Storage) + ";");
            w.WriteLine("default: return " + Storage(common) + ";");
        }
    }

    /// <summary>A ROBE table index's token offset: arithmetic when they are Index &lt;&lt; 33 (raw ids), else a switch.</summary>
    private static void WriteTokenOffsetOf(SourceWriter w, DlrmModel model)
    {
        var robeTables = model.Tables.Where(t => t.Storage == TableStorage.Robe).ToList();
        const string Header = """
            /// <summary>The token offset of a ROBE table index (TokenOffsets; other tables do not hash).</summary>
            private static ulong TokenOffsetOf(int table)
            """;
        if (robeTables.Count == 1)
            w.WriteLine(Header + " => TokenOffsets." + Identifier(robeTables[0].Name) + ";");
        else if (robeTables.All(t => t.TokenOffset == (ulong)t.Index << 33))
            w.WriteLine(Header + " => (ulong)table << 33;");
        else
        {
            using (w.Block(Header))
            using (w.Block("switch (table)"))
            {
                foreach (TableModel table in robeTables.Where(t => t.TokenOffset != 0))
                    w.WriteLine("case " + Int(table.Index) + ": return TokenOffsets." + Identifier(table.Name) + ";");
                w.WriteLine("default: return 0UL;");
            }
        }
    }

    /// <summary>The storage kinds a declaration uses, as the kernels' code paths.</summary>
    private sealed class StoragePaths
    {
        public bool Robe, Full, Hashed, QuotientRemainder;

        public static StoragePaths Of(DlrmModel model) => new()
        {
            Robe = model.Tables.Any(t => t.Storage == TableStorage.Robe),
            Full = model.Tables.Any(t => t.Storage == TableStorage.Full),
            Hashed = model.Tables.Any(t => t.Storage == TableStorage.Hashed),
            QuotientRemainder = model.Tables.Any(t => t.Storage == TableStorage.QuotientRemainder),
        };

        public bool Rows => Full || Hashed;

        /// <summary>More than one storage: a lookup's path depends on its table.</summary>
        public bool NeedsStorageOf => (Robe ? 1 : 0) + (Full ? 1 : 0) + (Hashed ? 1 : 0) + (QuotientRemainder ? 1 : 0) > 1;

        /// <summary>The paths present, in order, with the test that selects each.</summary>
        public IEnumerable<(string Name, string Test)> Present()
        {
            if (Robe) yield return ("robe", "robe");
            if (Rows)
                yield return ("rows", Full && Hashed
                    ? "storage == " + Storage(TableStorage.Full) + " || storage == " + Storage(TableStorage.Hashed)
                    : "storage == " + Storage(Full ? TableStorage.Full : TableStorage.Hashed));
            if (QuotientRemainder) yield return ("quotientRemainder", "storage == " + Storage(TableStorage.QuotientRemainder));
        }
    }

    /// <summary>The text of the two kernels of one model.</summary>
    private sealed class KernelText
    {
        private readonly DlrmModel _model;
        private readonly GpuLookupPlan _plan;
        private readonly StoragePaths _paths;
        private readonly string _z;

        public KernelText(DlrmModel model, GpuLookupPlan plan, StoragePaths paths)
        {
            _model = model;
            _plan = plan;
            _paths = paths;
            _z = Int(model.BlockSize);
        }

        private bool Signed => _model.Variant == RobeVariant.Signed;
        private bool Circular => _model.Variant == RobeVariant.Circular;
        private bool Unrolled => Unrolling.Applies(_model);

        public void WriteGather(SourceWriter w)
        {
            using (w.Block($$"""
                /// <summary>Gather: lane l of a lookup reads coordinates l, l + LookupLanes, ... (a warp reads 32 consecutive slots
                /// per instruction) and the lookup's block starts are recorded (not when args.ForwardOnly: nothing reads them). Extent
                /// batch * TableCount * LookupLanes (extra threads idle). A Full table's out-of-range token (the CPU loops throw) reads
                /// zeros and records start -1.</summary>
                public static void GatherKernel({{KernelParameters}}{{Names.ArrayView}}<float> output)
                """))
            {
                WriteLookupMapping(w, robeFlag: _paths.Robe);
                w.WriteLine("bool record = args.ForwardOnly == 0;");
                w.WriteLine("ulong token = active ? tokens[pair] : 0UL;");
                if (_paths.Robe)
                {
                    if (Signed) w.WriteLine("ulong key = robe ? " + Names.RobeHash + ".KeyOf(token, TokenOffsetOf(table)) : 0UL;");
                    w.WriteLine("ulong rowTerm = robe ? " + Names.RobeHash + ".RowTerm(" + (Signed ? "key" : Names.RobeHash + ".KeyOf(token, TokenOffsetOf(table))") + ") : 0UL;");
                    w.WriteLine("long range = " + (Circular ? "args.RobeSlots" : "args.RobeSlots - " + _z + " + 1") + ";");
                    if (Unrolled) WriteHashedSlots(w);
                }
                w.WriteLine("if (!active) return;");
                WritePaths(w, path => path switch
                {
                    "robe" => GatherRobe,
                    "rows" => GatherRows,
                    _ => GatherQuotientRemainder,
                });
            }
        }

        public void WriteScatter(SourceWriter w)
        {
            using (w.Block($$"""
                /// <summary>Gradient scatter: lane l of a lookup atomically adds the gradient of coordinates l, l + LookupLanes, ...
                /// (times the sign for Signed) at the slots the gather recorded; a warp's atomics hit 32 consecutive slots. Same
                /// extent as the gather; the order of the additions is not fixed.</summary>
                public static void ScatterAtomicKernel({{KernelParameters}}{{Names.ArrayView}}<float> gradOutput, {{Names.ArrayView}}<float> gradWeights)
                """))
            {
                WriteLookupMapping(w, robeFlag: _paths.Robe && _paths.NeedsStorageOf);
                w.WriteLine("if (!active) return;");
                WritePaths(w, path => path switch
                {
                    "robe" => ScatterRobe,
                    "rows" => ScatterRows,
                    _ => ScatterQuotientRemainder,
                });
            }
        }

        private bool AnyMean => _model.Tables.Any(t => t.Pooling == Pooling.Mean);

        /// <summary>
        /// The bag gather. Up to <see cref="Unrolling.MaxCoordinates"/> coordinates, lane l sums its coordinates
        /// l + LookupLanes * step in registers acc0.. and stores each once at the end (a Mean table divides first): the
        /// output is never read, so the weight loads of an id wait on no store. The storage path is taken once per cell
        /// and its id loop runs inside it; ids go in pairs (<see cref="PairsIds"/>): the first id's hashes and loads, the
        /// second's, then the adds, first id first, so two ids' loads are in flight and every coordinate's sum is formed in
        /// id order from zero, the CPU loops' sum to the bit. Past that many coordinates, <see cref="WriteGatherBagsInMemory"/>.
        /// </summary>
        public void WriteGatherBags(SourceWriter w)
        {
            using (w.Block($$"""
                /// <summary>Bag gather of a multi-hot batch: cell (sample, table) pools the embeddings of its ids
                /// bagIds[bagOffsets[cell] .. bagOffsets[cell + 1]) (Sum, or Mean where declared; zeros for an empty bag) into
                /// the lookup's output; the block starts of id i are recorded at i * MaxBlocks (not when args.ForwardOnly). Extent as
                /// the gather.</summary>
                public static void GatherBagsKernel({{BagKernelParameters}}{{Names.ArrayView}}<float> output)
                """))
            {
                WriteBagMapping(w);
                w.WriteLine("bool record = args.ForwardOnly == 0;");
                if (!Unrolled)
                {
                    WriteGatherBagsInMemory(w);
                    return;
                }
                w.WriteLine("float " + string.Join(", ", Enumerable.Range(0, _plan.Steps).Select(s => "acc" + Int(s) + " = 0f")) + ";");
                WritePaths(w, path => path switch
                {
                    "robe" => BagIdsRobe,
                    "rows" => BagIdsRows,
                    _ => BagIdsQuotientRemainder,
                });
                if (AnyMean)
                {
                    using (w.Block("if (IsMean(table) && end - first > 1)"))
                    {
                        w.WriteLine("float count = end - first;");
                        for (int step = 0; step < _plan.Steps; step++) w.WriteLine("acc" + Int(step) + " = acc" + Int(step) + " / count;");
                    }
                }
                ForEachStep(w, step => "output[outputBase + " + Coordinate(step) + "] = acc" + step + ";");
            }
        }

        /// <summary>
        /// Ids in pairs while a lane's loads of two ids stay few (2 * Steps registers besides the Steps sums); past that,
        /// one at a time.
        /// </summary>
        private bool PairsIds => _plan.Steps <= MaxPairedSteps;

        private const int MaxPairedSteps = 8;

        /// <summary>
        /// The id loop of one storage path: <paramref name="locate"/> writes an id's starts (id suffix, index expression),
        /// <paramref name="load"/> gives the weight of step s of an id (step, suffix), <paramref name="record"/> stores the
        /// id's starts unless forward-only. Loaded values are vA0.., vB0.. (0 on the lanes past the last coordinate, which
        /// add them and never store). An id's loads are issued as soon as its starts are known, before the next id's hashing,
        /// and the records come after all loads (a load may not move above a store the compiler cannot prove elsewhere).
        /// </summary>
        private void WriteBagIds(SourceWriter w, Action<SourceWriter, string, string> locate, Action<SourceWriter, string, string> record,
            Func<int, string, string> load)
        {
            void Loads(string id) => ForEachStep(w, step => "float v" + id + Int(step) + " = " + load(step, id) + ";", "0f");
            void Adds(string id)
            {
                for (int step = 0; step < _plan.Steps; step++) w.WriteLine("acc" + Int(step) + " += v" + id + Int(step) + ";");
            }
            void One(string index)
            {
                locate(w, "A", index);
                Loads("A");
                record(w, "A", index);
                Adds("A");
            }
            if (!PairsIds)
            {
                using (w.Block("for (int i = first; i < end; i++)")) One("i");
                return;
            }
            w.WriteLine("int i = first;");
            using (w.Block("for (; i + 1 < end; i += 2)"))
            {
                locate(w, "A", "i");
                Loads("A");
                locate(w, "B", "i + 1");
                Loads("B");
                record(w, "A", "i");
                record(w, "B", "i + 1");
                Adds("A");
                Adds("B");
            }
            using (w.Block("if (i < end)")) One("i");
        }

        /// <summary>
        /// Whether every step's coordinates lie in one block (LookupLanes divides Z): step s then reads block
        /// LookupLanes * s / Z at offset lane + LookupLanes * s mod Z, so an id's ceil(d / Z) starts are hashed once each,
        /// the same numbers on every lane. Otherwise each step hashes its coordinate's block.
        /// </summary>
        private bool StepsInOneBlock => _model.BlockSize % _plan.Lanes == 0;

        private void BagIdsRobe(SourceWriter w)
        {
            w.WriteLine("ulong tokenOffset = TokenOffsetOf(table);");
            if (Signed) w.WriteLine("ulong signCoordinate = " + Names.SignHash + ".CoordinateTerm(lane);");
            WriteBagIds(w, LocateRobe, RecordRobe, (step, id) =>
            {
                int offset = _plan.Lanes * step;
                string slot = StepsInOneBlock
                    ? Slot("start" + id + Int(offset / _model.BlockSize), offset % _model.BlockSize == 0 ? "lane" : "lane + " + Int(offset % _model.BlockSize))
                    : Slot("start" + id + Int(step), "(" + Coordinate(step) + ") - block" + id + Int(step) + " * " + _z);
                return "weights[" + slot + "]" + SignFactor(step, "signLane" + id);
            });
        }

        /// <summary>An id's key, row term (and Signed: its lane's sign term) and block starts.</summary>
        private void LocateRobe(SourceWriter w, string id, string index)
        {
            w.WriteLine("ulong key" + id + " = " + Names.RobeHash + ".KeyOf(bagIds[" + index + "], tokenOffset);");
            w.WriteLine("ulong rowTerm" + id + " = " + Names.RobeHash + ".RowTerm(key" + id + ");");
            if (Signed)
                w.WriteLine("ulong signLane" + id + " = " + Names.RobeHash + ".AddMod(" + Names.SignHash + ".RowTerm(key" + id + "), signCoordinate);");
            if (StepsInOneBlock)
            {
                for (int block = 0; block < _plan.Blocks; block++)
                    w.WriteLine("int start" + id + Int(block) + " = " + Names.RobeHash + ".BlockStart(rowTerm" + id + ", " + Int(block) + ", range);");
                return;
            }
            for (int step = 0; step < _plan.Steps; step++)
            {
                string c = Coordinate(step), block = "block" + id + Int(step);
                w.WriteLine($$"""
                    int {{block}} = ({{c}}) / {{_z}};
                    int start{{id}}{{Int(step)}} = {{Names.RobeHash}}.BlockStart(rowTerm{{id}}, {{block}}, range);
                    """);
            }
        }

        /// <summary>An id's block starts into its records: by lane 0 when every lane hashed every block, else by the lane
        /// whose coordinate opens the block.</summary>
        private void RecordRobe(SourceWriter w, string id, string index)
        {
            if (StepsInOneBlock)
            {
                using (w.Block("if (record && lane == 0)"))
                {
                    w.WriteLine("long at = (long)(" + index + ") * args.MaxBlocks;");
                    for (int block = 0; block < _plan.Blocks; block++)
                        w.WriteLine("blockStarts[at" + (block == 0 ? "" : " + " + Int(block)) + "] = start" + id + Int(block) + ";");
                }
                return;
            }
            for (int step = 0; step < _plan.Steps; step++)
            {
                string c = Coordinate(step), block = "block" + id + Int(step);
                string tail = _plan.IsPartial(step) ? " && " + TailTest : "";
                w.WriteLine($"if (record && ({c}) - {block} * {_z} == 0{tail}) blockStarts[(long)({index}) * args.MaxBlocks + {block}] = start{id}{Int(step)};");
            }
        }

        private void BagIdsRows(SourceWriter w)
        {
            w.WriteLine("long rows = tables.Rows[table], tableBase = tables.TableBase[table];");
            string call(string method, string token) => Names.TableRows + "." + method + "(" + token + ", rows, tableBase, EmbeddingDim)";
            WriteBagIds(w, (writer, id, index) =>
            {
                string token = "bagIds[" + index + "]";
                string rowStart = _paths.Full && _paths.Hashed
                    ? "storage == " + Storage(TableStorage.Full) + " ? " + call("FullRowStart", token) + " : " + call("HashedRowStart", token)
                    : call(_paths.Full ? "FullRowStart" : "HashedRowStart", token);
                writer.WriteLine("long rowStart" + id + " = " + rowStart + ";");
            },
            (writer, id, index) => writer.WriteLine("if (record && lane == 0) blockStarts[(long)(" + index + ") * args.MaxBlocks] = rowStart" + id + ";"),
            // Only a Full table's id can fall outside its rows (start -1: it adds zeros).
            (step, id) => _paths.Full
                ? "rowStart" + id + " >= 0 ? weights[rowStart" + id + " + " + Coordinate(step) + "] : 0f"
                : "weights[rowStart" + id + " + " + Coordinate(step) + "]");
        }

        private void BagIdsQuotientRemainder(SourceWriter w)
        {
            w.WriteLine("long quotientRows = tables.QuotientRows[table], remainderRows = tables.Rows[table], tableBase = tables.TableBase[table];");
            WriteBagIds(w, (writer, id, index) =>
            {
                writer.WriteLine($$"""
                    ulong token{{id}} = bagIds[{{index}}];
                    long quotient{{id}} = {{Names.TableRows}}.QuotientRowStart(token{{id}}, quotientRows, remainderRows, tableBase, EmbeddingDim);
                    long remainder{{id}} = {{Names.TableRows}}.RemainderRowStart(token{{id}}, quotientRows, remainderRows, tableBase, EmbeddingDim);
                    """);
            },
            (writer, id, index) =>
            {
                using (writer.Block("if (record && lane == 0)"))
                {
                    writer.WriteLine($$"""
                        long at = (long)({{index}}) * args.MaxBlocks;
                        blockStarts[at] = quotient{{id}};
                        blockStarts[at + 1] = remainder{{id}};
                        """);
                }
            },
            (step, id) => "weights[quotient" + id + " + " + Coordinate(step) + "] * weights[remainder" + id + " + " + Coordinate(step) + "]");
        }

        /// <summary>Past <see cref="Unrolling.MaxCoordinates"/> coordinates (too many registers per lane): the lanes of a cell
        /// zero its embedding in the output, add each id's coordinates there in id order (each lane its own coordinates, so
        /// no races), then divide by the count for a Mean table.</summary>
        private void WriteGatherBagsInMemory(SourceWriter w)
        {
            w.WriteLine("for (int c = lane; c < EmbeddingDim; c += LookupLanes) output[outputBase + c] = 0f;");
            using (w.Block("for (int i = first; i < end; i++)"))
            {
                w.WriteLine("ulong token = bagIds[i];");
                w.WriteLine("long recordBase = (long)i * args.MaxBlocks;");
                WritePaths(w, path => path switch
                {
                    "robe" => BagGatherRobe,
                    "rows" => BagGatherRows,
                    _ => BagGatherQuotientRemainder,
                });
            }
            if (AnyMean)
            {
                using (w.Block("if (IsMean(table) && end - first > 1)"))
                {
                    w.WriteLine("float count = end - first;");
                    w.WriteLine("for (int c = lane; c < EmbeddingDim; c += LookupLanes) output[outputBase + c] = output[outputBase + c] / count;");
                }
            }
        }

        /// <summary>The bag scatter: each id of a cell atomically adds g (or g / count for a Mean table) at its recorded slots.
        /// Unrolled, a lane reads its coordinates' g once per cell (not once per id); past that, per id in a loop.</summary>
        public void WriteScatterBags(SourceWriter w)
        {
            using (w.Block($$"""
                /// <summary>Bag gradient scatter: every id of a cell adds the cell's dL/dE (Sum) or dL/dE / count (Mean) at the
                /// slots its gather recorded, with float atomics. Same extent as the gather.</summary>
                public static void ScatterBagsAtomicKernel({{BagKernelParameters}}{{Names.ArrayView}}<float> gradOutput, {{Names.ArrayView}}<float> gradWeights)
                """))
            {
                WriteBagMapping(w);
                if (!Unrolled)
                {
                    w.WriteLine(AnyMean ? "bool mean = IsMean(table) && end - first > 1;" : "bool mean = false;");
                    w.WriteLine("float count = end - first;");
                    using (w.Block("for (int i = first; i < end; i++)"))
                    {
                        w.WriteLine("long recordBase = (long)i * args.MaxBlocks;");
                        WritePaths(w, path => path switch
                        {
                            "robe" => BagScatterRobe,
                            "rows" => BagScatterRows,
                            _ => BagScatterQuotientRemainder,
                        });
                    }
                    return;
                }
                // Every id of the cell adds the same gradient: read (and for Mean divide) it once, in registers.
                ForEachStep(w, step => "float g" + step + " = gradOutput[outputBase + " + Coordinate(step) + "];", "0f");
                if (AnyMean)
                {
                    using (w.Block("if (IsMean(table) && end - first > 1)"))
                    {
                        w.WriteLine("float count = end - first;");
                        for (int step = 0; step < _plan.Steps; step++) w.WriteLine("g" + Int(step) + " = g" + Int(step) + " / count;");
                    }
                }
                WritePaths(w, path => path switch
                {
                    "robe" => BagScatterIdsRobe,
                    "rows" => BagScatterIdsRows,
                    _ => BagScatterIdsQuotientRemainder,
                });
            }
        }

        /// <summary>Each id's slots from its recorded starts (each block's start read once when LookupLanes divides Z), the
        /// cell's gradient (times the id's sign for Signed) added there.</summary>
        private void BagScatterIdsRobe(SourceWriter w)
        {
            if (Signed)
            {
                w.WriteLine("ulong tokenOffset = TokenOffsetOf(table);");
                w.WriteLine("ulong signCoordinate = " + Names.SignHash + ".CoordinateTerm(lane);");
            }
            using (w.Block("for (int i = first; i < end; i++)"))
            {
                w.WriteLine("long recordBase = (long)i * args.MaxBlocks;");
                if (Signed)
                    w.WriteLine("ulong signLane = " + Names.RobeHash + ".AddMod(" + Names.SignHash + ".RowTerm(" + Names.RobeHash + ".KeyOf(bagIds[i], tokenOffset)), signCoordinate);");
                if (StepsInOneBlock)
                {
                    for (int block = 0; block < _plan.Blocks; block++)
                        w.WriteLine("int start" + Int(block) + " = (int)blockStarts[recordBase" + (block == 0 ? "" : " + " + Int(block)) + "];");
                    ForEachStep(w, step =>
                    {
                        int offset = _plan.Lanes * step;
                        string k = offset % _model.BlockSize == 0 ? "lane" : "lane + " + Int(offset % _model.BlockSize);
                        return Names.Atomic + ".Add(ref gradWeights[" + Slot("start" + Int(offset / _model.BlockSize), k) + "], g" + step + SignFactor(step) + ");";
                    });
                    return;
                }
                // A lane past the last coordinate reads no record (its block would be past the id's).
                ForEachStep(w, step => "int slot" + step + " = " + Slot("(int)blockStarts[recordBase + (" + Coordinate(step) + ") / " + _z + "]", "(" + Coordinate(step) + ") % " + _z) + ";", "0");
                ForEachStep(w, step => Names.Atomic + ".Add(ref gradWeights[slot" + step + "], g" + step + SignFactor(step) + ");");
            }
        }

        private void BagScatterIdsRows(SourceWriter w)
        {
            using (w.Block("for (int i = first; i < end; i++)"))
            {
                w.WriteLine("long rowStart = blockStarts[(long)i * args.MaxBlocks];");
                if (_paths.Full) w.WriteLine("if (rowStart < 0) continue;");
                ForEachStep(w, step => Names.Atomic + ".Add(ref gradWeights[rowStart + " + Coordinate(step) + "], g" + step + ");");
            }
        }

        private void BagScatterIdsQuotientRemainder(SourceWriter w)
        {
            using (w.Block("for (int i = first; i < end; i++)"))
            {
                w.WriteLine("""
                    // The product rule with the weights the gather read: dQ[q] += g * Rm[r], dRm[r] += g * Q[q].
                    long at = (long)i * args.MaxBlocks;
                    long quotient = blockStarts[at], remainder = blockStarts[at + 1];
                    """);
                ForEachStep(w, step => "float q" + step + " = weights[quotient + " + Coordinate(step) + "];", "0f");
                ForEachStep(w, step => "float r" + step + " = weights[remainder + " + Coordinate(step) + "];", "0f");
                ForEachStep(w, step => Names.Atomic + ".Add(ref gradWeights[quotient + " + Coordinate(step) + "], g" + step + " * r" + step + ");");
                ForEachStep(w, step => Names.Atomic + ".Add(ref gradWeights[remainder + " + Coordinate(step) + "], g" + step + " * q" + step + ");");
            }
        }

        /// <summary>The cell of a bag-kernel thread, its lane and its ids.</summary>
        private void WriteBagMapping(SourceWriter w)
        {
            w.WriteLine($$"""
                var lookup = new {{Names.GpuLookup}}(index, LookupLanes, TableCount, EmbeddingDim, args);
                if (!lookup.Active) return;
                int pair = lookup.Pair, lane = lookup.Lane, table = lookup.Table, outputBase = lookup.OutputBase;
                int first = bagOffsets[pair], end = bagOffsets[pair + 1];
                """);
            if (_paths.NeedsStorageOf) w.WriteLine("int storage = StorageOf(table);");
            if (_paths.Robe && _paths.NeedsStorageOf) w.WriteLine("bool robe = storage == " + Storage(TableStorage.Robe) + ";");
            if (_paths.Robe) w.WriteLine("long range = " + (Circular ? "args.RobeSlots" : "args.RobeSlots - " + _z + " + 1") + ";");
        }

        private void BagGatherRobe(SourceWriter w)
        {
            w.WriteLine("ulong key = " + Names.RobeHash + ".KeyOf(token, TokenOffsetOf(table));");
            w.WriteLine("ulong rowTerm = " + Names.RobeHash + ".RowTerm(key);");
            using (w.Block("for (int c = lane; c < EmbeddingDim; c += LookupLanes)"))
            {
                w.WriteLine($$"""
                    int block = c / {{_z}};
                    int k = c - block * {{_z}};
                    int start = {{Names.RobeHash}}.BlockStart(rowTerm, block, range);
                    if (record && k == 0) blockStarts[recordBase + block] = start;
                    output[outputBase + c] += weights[{{Slot("start", "k")}}]{{LoopSignFactor}};
                    """);
            }
        }

        private void BagGatherRows(SourceWriter w)
        {
            string rowStart = _paths.Full && _paths.Hashed
                ? "storage == " + Storage(TableStorage.Full) + " ? " + RowStartCall("FullRowStart") + " : " + RowStartCall("HashedRowStart")
                : RowStartCall(_paths.Full ? "FullRowStart" : "HashedRowStart");
            w.WriteLine("long rowStart = " + rowStart + ";");
            w.WriteLine("if (record && lane == 0) blockStarts[recordBase] = rowStart;");
            // Only a Full table's id can fall outside its rows (start -1: it adds nothing).
            w.WriteLine((_paths.Full ? "if (rowStart >= 0) " : "") + "for (int c = lane; c < EmbeddingDim; c += LookupLanes) output[outputBase + c] += weights[rowStart + c];");
        }

        private void BagGatherQuotientRemainder(SourceWriter w)
        {
            w.WriteLine($$"""
                long quotientRows = tables.QuotientRows[table], remainderRows = tables.Rows[table], tableBase = tables.TableBase[table];
                long quotient = {{Names.TableRows}}.QuotientRowStart(token, quotientRows, remainderRows, tableBase, EmbeddingDim);
                long remainder = {{Names.TableRows}}.RemainderRowStart(token, quotientRows, remainderRows, tableBase, EmbeddingDim);
                if (record && lane == 0)
                {
                    blockStarts[recordBase] = quotient;
                    blockStarts[recordBase + 1] = remainder;
                }
                for (int c = lane; c < EmbeddingDim; c += LookupLanes) output[outputBase + c] += weights[quotient + c] * weights[remainder + c];
                """);
        }

        private void BagScatterRobe(SourceWriter w)
        {
            if (Signed) w.WriteLine("ulong key = " + Names.RobeHash + ".KeyOf(bagIds[i], TokenOffsetOf(table));");
            using (w.Block("for (int c = lane; c < EmbeddingDim; c += LookupLanes)"))
            {
                w.WriteLine($$"""
                    int block = c / {{_z}};
                    float g = gradOutput[outputBase + c];
                    if (mean) g = g / count;
                    {{Names.Atomic}}.Add(ref gradWeights[{{Slot("(int)blockStarts[recordBase + block]", "c - block * " + _z)}}], g{{LoopSignFactor}});
                    """);
            }
        }

        private void BagScatterRows(SourceWriter w)
        {
            w.WriteLine("long rowStart = blockStarts[recordBase];");
            if (_paths.Full) w.WriteLine("if (rowStart < 0) continue;");
            using (w.Block("for (int c = lane; c < EmbeddingDim; c += LookupLanes)"))
            {
                w.WriteLine($$"""
                    float g = gradOutput[outputBase + c];
                    if (mean) g = g / count;
                    {{Names.Atomic}}.Add(ref gradWeights[rowStart + c], g);
                    """);
            }
        }

        private void BagScatterQuotientRemainder(SourceWriter w)
        {
            w.WriteLine("long quotient = blockStarts[recordBase], remainder = blockStarts[recordBase + 1];");
            using (w.Block("for (int c = lane; c < EmbeddingDim; c += LookupLanes)"))
            {
                w.WriteLine($$"""
                    float g = gradOutput[outputBase + c], q = weights[quotient + c], r = weights[remainder + c];
                    if (mean) g = g / count;
                    {{Names.Atomic}}.Add(ref gradWeights[quotient + c], g * r);
                    {{Names.Atomic}}.Add(ref gradWeights[remainder + c], g * q);
                    """);
            }
        }

        /// <summary>
        /// The thread's lookup, lane and places (the runtime's GpuLookup, the generic kernels' too). <c>active</c> is false
        /// for threads past the batch (in the gather they still take part in the warp shuffles, which need every lane);
        /// <c>robe</c> (<paramref name="robeFlag"/>) is true for an active lookup of a ROBE table.
        /// </summary>
        private void WriteLookupMapping(SourceWriter w, bool robeFlag)
        {
            w.WriteLine($$"""
                var lookup = new {{Names.GpuLookup}}(index, LookupLanes, TableCount, EmbeddingDim, args);
                int pair = lookup.Pair, lane = lookup.Lane, table = lookup.Table, outputBase = lookup.OutputBase;
                long recordBase = lookup.RecordBase;
                bool active = lookup.Active;
                """);
            if (_paths.NeedsStorageOf) w.WriteLine("int storage = StorageOf(table);");
            if (robeFlag) w.WriteLine(_paths.NeedsStorageOf ? "bool robe = active && storage == " + Storage(TableStorage.Robe) + ";" : "bool robe = active;");
        }

        /// <summary>One block per path present (only the body when there is one path); a lookup runs its table's.</summary>
        private static void WritePathsOf(SourceWriter w, IReadOnlyList<(string Name, string Test)> present, Func<string, Action<SourceWriter>> body)
        {
            if (present.Count == 1)
            {
                body(present[0].Name)(w);
                return;
            }
            for (int i = 0; i < present.Count; i++)
            {
                string header = i == 0 ? "if (" + present[i].Test + ")" : i == present.Count - 1 ? "else" : "else if (" + present[i].Test + ")";
                using (w.Block(header)) body(present[i].Name)(w);
            }
        }

        private void WritePaths(SourceWriter w, Func<string, Action<SourceWriter>> body) => WritePathsOf(w, _paths.Present().ToList(), body);

        /// <summary>
        /// slot0.. of the lane's steps from the hash, and the block starts recorded. When a lookup's blocks fit its lanes
        /// (ceil(d / Z) &lt;= LookupLanes) and its lanes sit in one warp (checked at run time: ILGPU's CPU accelerator
        /// simulates 4-lane warps), lane b hashes block b and the starts reach the other lanes by shuffles (executed by
        /// every lane, whatever its table); otherwise each lane hashes the block of each of its coordinates (the same
        /// number: the hash is a pure function of key and block).
        /// </summary>
        private void WriteHashedSlots(SourceWriter w)
        {
            w.WriteLine("int " + string.Join(", ", Enumerable.Range(0, _plan.Steps).Select(s => "slot" + Int(s) + " = 0")) + ";");
            if (_plan.Blocks <= _plan.Lanes)
            {
                using (w.Block("if (" + Names.Warp + ".WarpSize % LookupLanes == 0 && " + Names.Group + ".DimX % " + Names.Warp + ".WarpSize == 0)"))
                {
                    w.WriteLine("int mine = 0;");
                    using (w.Block("if (robe && lane < " + Int(_plan.Blocks) + ")"))
                    {
                        w.WriteLine($$"""
                            mine = {{Names.RobeHash}}.BlockStart(rowTerm, lane, range);
                            if (record) blockStarts[recordBase + lane] = mine;
                            """);
                    }
                    w.WriteLine("int firstLane = " + Names.Warp + ".LaneIdx - lane;");
                    for (int step = 0; step < _plan.Steps; step++)
                    {
                        string c = Coordinate(step);
                        w.WriteLine("slot" + Int(step) + " = " + Slot(Names.Warp + ".Shuffle(mine, firstLane + (" + c + ") / " + _z + ")", "(" + c + ") % " + _z) + ";");
                    }
                }
                using (w.Block("else if (robe)")) HashEachStep(w);
            }
            else
            {
                using (w.Block("if (robe)")) HashEachStep(w);
            }
        }

        /// <summary>Every step hashes its coordinate's block; the block's first coordinate records it.</summary>
        private void HashEachStep(SourceWriter w)
        {
            for (int step = 0; step < _plan.Steps; step++)
            {
                string c = Coordinate(step);
                using (OpenStep(w, step))
                {
                    w.WriteLine($$"""
                        int block = ({{c}}) / {{_z}};
                        int k = {{c}} - block * {{_z}};
                        int start = {{Names.RobeHash}}.BlockStart(rowTerm, block, range);
                        if (record && k == 0) blockStarts[recordBase + block] = start;
                        slot{{Int(step)}} = {{Slot("start", "k")}};
                        """);
                }
            }
        }

        private void GatherRobe(SourceWriter w)
        {
            if (!Unrolled)
            {
                using (w.Block("for (int c = lane; c < EmbeddingDim; c += LookupLanes)"))
                {
                    w.WriteLine($$"""
                        int block = c / {{_z}};
                        int k = c - block * {{_z}};
                        int start = {{Names.RobeHash}}.BlockStart(rowTerm, block, range);
                        if (record && k == 0) blockStarts[recordBase + block] = start;
                        output[outputBase + c] = weights[{{Slot("start", "k")}}]{{LoopSignFactor}};
                        """);
                }
                return;
            }
            if (Signed) WriteSignLane(w);
            // All loads first, then all stores: the loads do not wait on stores the compiler cannot prove disjoint.
            ForEachStep(w, step => "float v" + step + " = weights[slot" + step + "]" + SignFactor(step) + ";", "0f");
            ForEachStep(w, step => "output[outputBase + " + Coordinate(step) + "] = v" + step + ";");
        }

        private void GatherRows(SourceWriter w)
        {
            string rowStart = _paths.Full && _paths.Hashed
                ? "storage == " + Storage(TableStorage.Full) + " ? " + RowStartCall("FullRowStart") + " : " + RowStartCall("HashedRowStart")
                : RowStartCall(_paths.Full ? "FullRowStart" : "HashedRowStart");
            w.WriteLine($$"""
                // A {{(_paths.Full ? (_paths.Hashed ? "Full or Hashed" : "Full") : "Hashed")}} row: d consecutive floats; lane 0 records the row's start.
                long rowStart = {{rowStart}};
                if (record && lane == 0) blockStarts[recordBase] = rowStart;
                """);
            // Only a Full table's token can fall outside its rows (start -1: zeros).
            string read(string c) => _paths.Full ? "rowStart >= 0 ? weights[rowStart + " + c + "] : 0f" : "weights[rowStart + " + c + "]";
            if (!Unrolled)
            {
                w.WriteLine("for (int c = lane; c < EmbeddingDim; c += LookupLanes) output[outputBase + c] = " + read("c") + ";");
                return;
            }
            ForEachStep(w, step => "float v" + step + " = " + read(Coordinate(step)) + ";", "0f");
            ForEachStep(w, step => "output[outputBase + " + Coordinate(step) + "] = v" + step + ";");
        }

        private static string RowStartCall(string method) =>
            Names.TableRows + "." + method + "(token, tables.Rows[table], tables.TableBase[table], EmbeddingDim)";

        private void GatherQuotientRemainder(SourceWriter w)
        {
            w.WriteLine($$"""
                // Two rows' product; lane 0 records both starts.
                long quotientRows = tables.QuotientRows[table], remainderRows = tables.Rows[table], tableBase = tables.TableBase[table];
                long quotient = {{Names.TableRows}}.QuotientRowStart(token, quotientRows, remainderRows, tableBase, EmbeddingDim);
                long remainder = {{Names.TableRows}}.RemainderRowStart(token, quotientRows, remainderRows, tableBase, EmbeddingDim);
                if (record && lane == 0)
                {
                    blockStarts[recordBase] = quotient;
                    blockStarts[recordBase + 1] = remainder;
                }
                """);
            if (!Unrolled)
            {
                w.WriteLine("for (int c = lane; c < EmbeddingDim; c += LookupLanes) output[outputBase + c] = weights[quotient + c] * weights[remainder + c];");
                return;
            }
            ForEachStep(w, step => "float v" + step + " = weights[quotient + " + Coordinate(step) + "] * weights[remainder + " + Coordinate(step) + "];", "0f");
            ForEachStep(w, step => "output[outputBase + " + Coordinate(step) + "] = v" + step + ";");
        }

        private void ScatterRobe(SourceWriter w)
        {
            if (Signed) w.WriteLine("ulong key = " + Names.RobeHash + ".KeyOf(tokens[pair], TokenOffsetOf(table));");
            if (!Unrolled)
            {
                using (w.Block("for (int c = lane; c < EmbeddingDim; c += LookupLanes)"))
                {
                    w.WriteLine($$"""
                        int block = c / {{_z}};
                        {{Names.Atomic}}.Add(ref gradWeights[{{Slot("(int)blockStarts[recordBase + block]", "c - block * " + _z)}}], gradOutput[outputBase + c]{{LoopSignFactor}});
                        """);
                }
                return;
            }
            w.WriteLine("int " + string.Join(", ", Enumerable.Range(0, _plan.Steps).Select(s => "slot" + Int(s) + " = 0")) + ";");
            for (int step = 0; step < _plan.Steps; step++)
            {
                string c = Coordinate(step);
                using (OpenStep(w, step))
                {
                    w.WriteLine($$"""
                        int block = ({{c}}) / {{_z}};
                        slot{{Int(step)}} = {{Slot("(int)blockStarts[recordBase + block]", c + " - block * " + _z)}};
                        """);
                }
            }
            if (Signed) WriteSignLane(w);
            ForEachStep(w, step => "float g" + step + " = gradOutput[outputBase + " + Coordinate(step) + "]" + SignFactor(step) + ";", "0f");
            ForEachStep(w, step => Names.Atomic + ".Add(ref gradWeights[slot" + step + "], g" + step + ");");
        }

        private void ScatterRows(SourceWriter w)
        {
            w.WriteLine("long rowStart = blockStarts[recordBase];");
            if (_paths.Full) w.WriteLine("if (rowStart < 0) return;");
            if (!Unrolled)
            {
                w.WriteLine("for (int c = lane; c < EmbeddingDim; c += LookupLanes) " + Names.Atomic + ".Add(ref gradWeights[rowStart + c], gradOutput[outputBase + c]);");
                return;
            }
            ForEachStep(w, step => "float g" + step + " = gradOutput[outputBase + " + Coordinate(step) + "];", "0f");
            ForEachStep(w, step => Names.Atomic + ".Add(ref gradWeights[rowStart + " + Coordinate(step) + "], g" + step + ");");
        }

        private void ScatterQuotientRemainder(SourceWriter w)
        {
            w.WriteLine("""
                // The product rule with the weights the gather read: dQ[q] += g * Rm[r], dRm[r] += g * Q[q].
                long quotient = blockStarts[recordBase], remainder = blockStarts[recordBase + 1];
                """);
            if (!Unrolled)
            {
                using (w.Block("for (int c = lane; c < EmbeddingDim; c += LookupLanes)"))
                {
                    w.WriteLine($$"""
                        float g = gradOutput[outputBase + c], q = weights[quotient + c], r = weights[remainder + c];
                        {{Names.Atomic}}.Add(ref gradWeights[quotient + c], g * r);
                        {{Names.Atomic}}.Add(ref gradWeights[remainder + c], g * q);
                        """);
                }
                return;
            }
            ForEachStep(w, step => "float g" + step + " = gradOutput[outputBase + " + Coordinate(step) + "];", "0f");
            ForEachStep(w, step => "float q" + step + " = weights[quotient + " + Coordinate(step) + "];", "0f");
            ForEachStep(w, step => "float r" + step + " = weights[remainder + " + Coordinate(step) + "];", "0f");
            ForEachStep(w, step => Names.Atomic + ".Add(ref gradWeights[quotient + " + Coordinate(step) + "], g" + step + " * r" + step + ");");
            ForEachStep(w, step => Names.Atomic + ".Add(ref gradWeights[remainder + " + Coordinate(step) + "], g" + step + " * q" + step + ");");
        }

        /// <summary>
        /// One line per step; the partial last step (when LookupLanes does not divide d) runs on the lanes that have a
        /// coordinate there, and a declaration in it (<paramref name="idle"/> given) gets that value on the other lanes.
        /// </summary>
        private void ForEachStep(SourceWriter w, Func<int, string> line, string? idle = null)
        {
            for (int step = 0; step < _plan.Steps; step++)
            {
                string text = line(step);
                if (!_plan.IsPartial(step)) w.WriteLine(text);
                else if (idle is null) w.WriteLine("if (" + TailTest + ") " + text);
                else
                {
                    // "float v3 = expr;" becomes "float v3 = tail ? expr : 0f;"
                    int equals = text.IndexOf(" = ", StringComparison.Ordinal);
                    w.WriteLine(text.Substring(0, equals) + " = " + TailTest + " ? " + text.Substring(equals + 3, text.Length - equals - 4) + " : " + idle + ";");
                }
            }
        }

        /// <summary>Opens a step's scope: a plain block, or for the partial last step one run by the lanes that have a coordinate there.</summary>
        private SourceWriter.Scope OpenStep(SourceWriter w, int step) => w.Block(_plan.IsPartial(step) ? "if (" + TailTest + ")" : null);

        private string TailTest => "lane < " + Int(_plan.TailLanes);

        /// <summary>The coordinate lane + LookupLanes * step.</summary>
        private string Coordinate(int step) => step == 0 ? "lane" : "lane + " + Int(_plan.Lanes * step);

        /// <summary>The slot at <paramref name="k"/> after a block start (wrapped modulo m for Circular; below 2^31: starts are below P).</summary>
        private string Slot(string start, string k) =>
            Circular ? "(int)" + Names.RobeHash + ".Wrap((long)" + start + " + " + k + ", args.RobeSlots)" : start + " + " + k;

        /// <summary>
        /// Signed: the sign hash of coordinate lane + L * step is (sign row term + CoordinateTerm(lane) + (L * step * S2 mod P))
        /// mod P, so a lane computes CoordinateTerm once and adds a folded literal per step (the same number as
        /// CoordinateTerm of the coordinate).
        /// </summary>
        private static void WriteSignLane(SourceWriter w) =>
            w.WriteLine("ulong signLane = " + Names.RobeHash + ".AddMod(" + Names.SignHash + ".RowTerm(key), " + Names.SignHash + ".CoordinateTerm(lane));");

        private string SignFactor(int step, string signLane = "signLane")
        {
            if (!Signed) return "";
            if (step == 0) return " * " + Names.SignHash + ".Sign(" + signLane + ")";
            ulong stepTerm = (ulong)(_plan.Lanes * step) * RobeConstants.S2 % RobeConstants.P;
            return " * " + Names.SignHash + ".Sign(" + Names.RobeHash + ".AddMod(" + signLane + ", " + ULong(stepTerm) + "))";
        }

        private string LoopSignFactor => Signed ? " * " + Names.SignHash + ".SignOf(key, c)" : "";
    }
}
