using System;
using System.Collections.Generic;
using System.Linq;
using RobeGen.Generators.Diagnostics;
using RobeGen.Generators.Model;

namespace RobeGen.Generators.Parsing;

/// <summary>
/// The checks a declaration must pass before code is generated for it. Each reports at the attribute argument
/// (or array element, or property) that is wrong, with a message saying how to fix it.
/// </summary>
internal static class DeclarationRules
{
    public static void Check(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        CheckMlps(raw, diagnostics);
        CheckEnums(raw, diagnostics);
        CheckTables(raw, diagnostics);
        CheckRobeArray(raw, diagnostics);
        CheckInteraction(raw, diagnostics);
        CheckSizes(raw, diagnostics);
        ColumnRules.Check(raw, diagnostics);
    }

    /// <summary>
    /// CrossLayers and CrossRank belong to DcnV2 (RG0040 elsewhere); DcnV2 needs CrossLayers &gt;= 1 (RG0041) and a rank
    /// in [0, D], D = d (T+1) the width of [u, E_1, .., E_T] (RG0042; 0 is full rank). An unknown Interaction is RG0026.
    /// </summary>
    private static void CheckInteraction(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        AttributeValues dlrm = raw.Dlrm;
        if (raw.Interaction is not ((long)InteractionKind.Dot or (long)InteractionKind.Cat or (long)InteractionKind.DcnV2))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, dlrm.ArgumentLocation("Interaction"),
                "Interaction", raw.Interaction, "InteractionKind", "Dot, Cat, DcnV2"));
            return;
        }
        if (raw.Interaction != (long)InteractionKind.DcnV2)
        {
            foreach (string name in new[] { "CrossLayers", "CrossRank" })
            {
                if (dlrm.Has(name))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CrossWithoutDcnV2, dlrm.ArgumentLocation(name),
                        name, (InteractionKind)raw.Interaction));
            }
            return;
        }
        if (raw.CrossLayers < 1)
        {
            LocationInfo? where = dlrm.Has("CrossLayers") ? dlrm.ArgumentLocation("CrossLayers") : dlrm.ArgumentLocation("Interaction");
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DcnV2WithoutCrossLayers, where, raw.CrossLayers));
        }
        long width = Math.Max(raw.EmbeddingDim, 0) * (raw.Tables.Count + 1);
        if (raw.CrossRank < 0 || (raw.EmbeddingDim >= 1 && raw.CrossRank > width))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CrossRankOutOfRange, dlrm.ArgumentLocation("CrossRank"), raw.CrossRank, width));
    }

    /// <summary>The generated size constants are 64-bit: refuse declarations whose counts do not fit.</summary>
    private static void CheckSizes(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        try
        {
            checked
            {
                long full = 0, embedding = raw.RobeSlots > 0 ? raw.RobeSlots : 0;
                foreach (RawTable table in raw.Tables)
                {
                    full += Math.Max(table.Cardinality, 0) * raw.EmbeddingDim;
                    embedding += Math.Max(Math.Max(table.Cardinality, table.Rows), 0) * raw.EmbeddingDim;
                    // A QuotientRemainder table holds ceil(n / R) <= n quotient rows besides its R remainder rows.
                    if (table.Storage == (long)TableStorage.QuotientRemainder) embedding += Math.Max(table.Rows, 0) * raw.EmbeddingDim;
                }
                long mlp = 0, fanIn = ColumnRules.DenseCount(raw);
                foreach (long width in raw.BottomMlp) { mlp += fanIn * width + width; fanIn = width; }
                long vectors = raw.Tables.Count + 1, concat = raw.EmbeddingDim * vectors;
                fanIn = raw.Interaction == (long)InteractionKind.Dot ? raw.EmbeddingDim + vectors * (vectors - 1) / 2 : concat;
                foreach (long width in raw.TopMlp) { mlp += fanIn * width + width; fanIn = width; }
                if (raw.Interaction == (long)InteractionKind.DcnV2)
                    mlp += Math.Max(raw.CrossLayers, 0) * ((raw.CrossRank > 0 ? 2 * concat * raw.CrossRank : concat * concat) + concat);
                _ = (embedding + mlp + fanIn + 1) * sizeof(float) + full;
            }
        }
        catch (OverflowException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizesOverflow, raw.ClassLocation, raw.ClassName));
        }
    }

    private static void CheckMlps(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        AttributeValues dlrm = raw.Dlrm;
        if (ColumnRules.DenseCount(raw) < 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDenseFeatures, dlrm.ArgumentLocation("DenseFeatures"), raw.DenseFeatures));
        if (raw.EmbeddingDim < 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidEmbeddingDim, dlrm.ArgumentLocation("EmbeddingDim"), raw.EmbeddingDim));

        CheckWidths("BottomMlp", raw.BottomMlp, dlrm, diagnostics);
        CheckWidths("TopMlp", raw.TopMlp, dlrm, diagnostics);

        if (raw.BottomMlp.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmptyBottomMlp, dlrm.ArgumentLocation("BottomMlp"),
                raw.EmbeddingDim >= 1 ? raw.EmbeddingDim : 16));
        }
        else
        {
            long last = raw.BottomMlp[raw.BottomMlp.Count - 1];
            if (last >= 1 && raw.EmbeddingDim >= 1 && last != raw.EmbeddingDim)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BottomMlpLastNotDim,
                    dlrm.ElementLocation("BottomMlp", raw.BottomMlp.Count - 1), last, raw.EmbeddingDim));
            }
        }
    }

    private static void CheckWidths(string name, IReadOnlyList<long> widths, AttributeValues dlrm, List<DiagnosticInfo> diagnostics)
    {
        for (int i = 0; i < widths.Count; i++)
        {
            if (widths[i] < 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMlpWidth, dlrm.ElementLocation(name, i), name, i, widths[i]));
        }
    }

    private static void CheckEnums(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        if (raw.Tokens is not (0 or 1))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, raw.Dlrm.ArgumentLocation("Tokens"),
                "Tokens", raw.Tokens, "TokenKind", "RawId, Vocabulary"));
        if (raw.RobeArray is not null && raw.Variant is not (0 or 1 or 2))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, raw.RobeArray.ArgumentLocation("Variant"),
                "Variant", raw.Variant, "RobeVariant", "Authors, Circular, Signed"));
    }

    private static void CheckTables(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        if (raw.Tables.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoTables, raw.ClassLocation, raw.ClassName));
            return;
        }

        var columnOwners = new Dictionary<long, string>();
        foreach (RawTable table in raw.Tables)
        {
            AttributeValues attribute = table.Categorical;
            if (table.ColumnName is not null)
            {
                // A named column: ColumnRules checks it.
            }
            else if (table.Column < 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeColumn, attribute.ArgumentLocation("Column"), table.Name, table.Column));
            }
            else if (columnOwners.TryGetValue(table.Column, out string? owner))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateColumn, attribute.ArgumentLocation("Column"), table.Name, table.Column, owner));
            }
            else
            {
                columnOwners.Add(table.Column, table.Name);
            }

            if (table.Cardinality < 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeCount, attribute.ArgumentLocation("Cardinality"), table.Name, "Cardinality", table.Cardinality));
            if (table.Rows < 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeCount, attribute.ArgumentLocation("Rows"), table.Name, "Rows", table.Rows));

            switch (table.Storage)
            {
                case (long)TableStorage.Robe:
                    break;
                case (long)TableStorage.Full:
                    if (table.Cardinality == 0)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FullWithoutCardinality, attribute.ArgumentLocation("Storage"), table.Name));
                    break;
                case (long)TableStorage.Hashed:
                    if (table.Rows == 0)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HashedWithoutRows, attribute.ArgumentLocation("Storage"), table.Name));
                    break;
                case (long)TableStorage.QuotientRemainder:
                    CheckQuotientRemainder(table, diagnostics);
                    break;
                default:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, attribute.ArgumentLocation("Storage"),
                        "Storage", table.Storage, "EmbeddingStorage", "Robe, Full, Hashed, QuotientRemainder"));
                    break;
            }
            if (table.Rows > 0 && table.Storage is (long)TableStorage.Robe or (long)TableStorage.Full)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RowsIgnored, attribute.ArgumentLocation("Rows"),
                    table.Name, table.Rows, (TableStorage)table.Storage));

            if (table.Pooling is < (long)Pooling.None or > (long)Pooling.Mean)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, attribute.ArgumentLocation("Pooling"),
                    "Pooling", table.Pooling, "Pooling", "None, Sum, Mean"));
            else if (table.Pooling != (long)Pooling.None && table.ColumnName is null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PoolingOnCriteoColumn, attribute.ArgumentLocation("Pooling"),
                    table.Name, (Pooling)table.Pooling, table.Column < 0 ? "(unset)" : "C" + (table.Column + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (table.Hotness < 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HotnessOutOfRange, attribute.ArgumentLocation("Hotness"), table.Name, table.Hotness));

            if (raw.Tokens == (long)TokenKind.Vocabulary && table.Cardinality == 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.VocabularyWithoutCardinality, attribute.Location, table.Name));
        }
    }

    /// <summary>
    /// A QuotientRemainder table needs its id count n (Cardinality) and 1 &lt;= R &lt;= n remainder rows (Rows); a
    /// negative count is RG0025 already. Missing values are reported at Storage, wrong ones at their argument.
    /// </summary>
    private static void CheckQuotientRemainder(RawTable table, List<DiagnosticInfo> diagnostics)
    {
        AttributeValues attribute = table.Categorical;
        if (table.Cardinality == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.QuotientRemainderWithoutCardinality, attribute.ArgumentLocation("Storage"), table.Name));
        if (table.Rows == 0)
        {
            LocationInfo? where = attribute.Has("Rows") ? attribute.ArgumentLocation("Rows") : attribute.ArgumentLocation("Storage");
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.QuotientRemainderWithoutRows, where, table.Name, table.Rows));
        }
        else if (table.Cardinality > 0 && table.Rows > table.Cardinality)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.QuotientRemainderRowsAboveCardinality, attribute.ArgumentLocation("Rows"),
                table.Name, table.Rows, table.Cardinality, table.Rows - 1));
        }
    }

    private static void CheckRobeArray(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        RawTable? firstRobe = raw.Tables.FirstOrDefault(t => t.Storage == (long)TableStorage.Robe);
        AttributeValues? robe = raw.RobeArray;
        if (firstRobe is null && robe is null) return;

        if (firstRobe is not null && raw.RobeSlots <= 0)
        {
            LocationInfo? where = robe?.ArgumentLocation("Slots") ?? raw.ClassLocation;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingSlots, where, firstRobe.Name, raw.RobeSlots));
        }

        // Block size and slots matter even without a declared ROBE table: a run may override every table's storage to Robe.
        if (robe is null) return;
        if (raw.BlockSize < 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BlockSizeTooSmall, robe.ArgumentLocation("BlockSize"),
                raw.BlockSize, raw.EmbeddingDim));
        }
        else if (raw.EmbeddingDim >= 1 && raw.BlockSize > raw.EmbeddingDim)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BlockSizeTooLarge, robe.ArgumentLocation("BlockSize"),
                raw.BlockSize, raw.EmbeddingDim));
        }
        else if (raw.RobeSlots > 0 && raw.RobeSlots < raw.BlockSize)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SlotsBelowBlockSize, robe.ArgumentLocation("Slots"),
                raw.RobeSlots, raw.BlockSize));
        }
    }
}
