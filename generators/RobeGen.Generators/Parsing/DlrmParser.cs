using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RobeGen.Generators.Diagnostics;
using RobeGen.Generators.Model;

namespace RobeGen.Generators.Parsing;

/// <summary>
/// Turns one [Dlrm] class into an equatable <see cref="ParseResult"/>: reads the attributes and table
/// properties (<see cref="RawDeclaration"/>), checks them (<see cref="DeclarationRules"/>) and resolves the
/// model (table order, token offsets). Never throws: a failure becomes an RG9999 diagnostic.
/// </summary>
internal static class DlrmParser
{
    public const string DlrmAttributeName = "RobeGen.DlrmAttribute";
    private const string RobeArrayAttributeName = "RobeGen.RobeArrayAttribute";
    private const string CategoricalAttributeName = "RobeGen.CategoricalAttribute";
    private const string DenseAttributeName = "RobeGen.DenseAttribute";
    private const string EmbeddingTableName = "RobeGen.EmbeddingTable";

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, FaultInjection? faults, CancellationToken cancellationToken)
    {
        try
        {
            faults?.BeforeParse(context.TargetSymbol.Name);
            return ParseCore(context, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError,
                LocationInfo.From(context.TargetNode is TypeDeclarationSyntax t ? t.Identifier.GetLocation() : context.TargetNode.GetLocation()),
                context.TargetSymbol.Name, e.GetType().Name + ": " + e.Message);
            return new ParseResult(null, null, new[] { diagnostic }.ToEquatableArray());
        }
    }

    private static ParseResult ParseCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();

        RawDeclaration raw = Read(type, syntax, context.Attributes[0], context.SemanticModel.Compilation, diagnostics, cancellationToken);
        DeclarationRules.Check(raw, diagnostics);

        bool hasErrors = diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
        if (hasErrors)
        {
            StubModel? stub = null;
            var implementable = raw.Tables.Where(t => t.IsImplementable).ToList();
            if (raw.CanHostGeneratedPart)
            {
                stub = new StubModel(raw.Namespace, raw.ClassName,
                    implementable.Select((t, i) => new TableModel(t.Name, t.Modifiers, i, 0, "", 0, TableStorage.Robe, 0, 0)).ToEquatableArray(),
                    raw.Tables.Select(t => t.Name).ToEquatableArray());
            }
            return new ParseResult(null, stub, diagnostics.ToEquatableArray());
        }
        return new ParseResult(Resolve(raw), null, diagnostics.ToEquatableArray());
    }

    private static RawDeclaration Read(INamedTypeSymbol type, TypeDeclarationSyntax syntax, AttributeData dlrm,
        Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var raw = new RawDeclaration
        {
            Namespace = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
            ClassName = type.Name,
            FullName = type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
            ClassLocation = LocationInfo.From(syntax.Identifier.GetLocation()),
            Dlrm = new AttributeValues(dlrm, cancellationToken),
        };
        ReadClassShape(type, syntax, raw, diagnostics);

        raw.DenseFeatures = raw.Dlrm.GetInteger("DenseFeatures", 0);
        raw.EmbeddingDim = raw.Dlrm.GetInteger("EmbeddingDim", 0);
        raw.BottomMlp = raw.Dlrm.GetIntegerArray("BottomMlp") ?? new long[0];
        raw.TopMlp = raw.Dlrm.GetIntegerArray("TopMlp") ?? new long[0];
        raw.Tokens = raw.Dlrm.GetInteger("Tokens", 0);
        raw.Label = raw.Dlrm.GetString("Label");
        foreach (AttributeData dense in type.GetAttributes().Where(a => IsAttribute(a, DenseAttributeName)))
        {
            var values = new AttributeValues(dense, cancellationToken);
            raw.Dense.Add(new RawDense { Name = values.FirstConstructorString, Transform = values.GetInteger("Transform", 0), Attribute = values });
        }
        raw.Interaction = raw.Dlrm.GetInteger("Interaction", 0);
        raw.CrossLayers = raw.Dlrm.GetInteger("CrossLayers", 0);
        raw.CrossRank = raw.Dlrm.GetInteger("CrossRank", 0);

        AttributeData? robeArray = type.GetAttributes().FirstOrDefault(a => IsAttribute(a, RobeArrayAttributeName));
        if (robeArray is not null)
        {
            raw.RobeArray = new AttributeValues(robeArray, cancellationToken);
            raw.RobeSlots = raw.RobeArray.GetInteger("Slots", 0);
            raw.BlockSize = raw.RobeArray.GetInteger("BlockSize", 1);
            raw.Variant = raw.RobeArray.GetInteger("Variant", 0);
        }

        INamedTypeSymbol? embeddingTable = compilation.GetTypeByMetadataName(EmbeddingTableName);
        foreach (IPropertySymbol property in type.GetMembers().OfType<IPropertySymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            AttributeData? categorical = property.GetAttributes().FirstOrDefault(a => IsAttribute(a, CategoricalAttributeName));
            if (categorical is null) continue;
            raw.Tables.Add(ReadTable(property, categorical, embeddingTable, diagnostics, cancellationToken));
        }
        return raw;
    }

    private static void ReadClassShape(INamedTypeSymbol type, TypeDeclarationSyntax syntax, RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
        if (!isPartial)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, raw.ClassLocation, type.Name));
        if (type.ContainingType is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedClass, raw.ClassLocation, type.Name, type.ContainingType.ToDisplayString()));
        if (type.TypeParameters.Length > 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericClass, raw.ClassLocation, type.Name));

        string? notInstantiable = type.IsRecord ? "a record" : type.IsStatic ? "static" : type.IsAbstract ? "abstract" : null;
        if (notInstantiable is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotInstantiable, raw.ClassLocation, type.Name, notInstantiable));
        else if (!type.InstanceConstructors.Any(c => c.Parameters.All(p => p.IsOptional || p.IsParams)))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoParameterlessConstructor, raw.ClassLocation, type.Name));

        raw.CanHostGeneratedPart = isPartial && type.ContainingType is null && type.TypeParameters.Length == 0 && !type.IsRecord;
    }

    private static RawTable ReadTable(IPropertySymbol property, AttributeData categorical, INamedTypeSymbol? embeddingTable,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var syntax = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as PropertyDeclarationSyntax;
        var table = new RawTable
        {
            Name = property.Name,
            Modifiers = syntax is null ? "public partial" : string.Join(" ", syntax.Modifiers.Select(m => m.Text)),
            PropertyLocation = LocationInfo.From(syntax?.Identifier.GetLocation() ?? property.Locations.FirstOrDefault()),
            Categorical = new AttributeValues(categorical, cancellationToken),
        };
        table.Column = table.Categorical.GetInteger("Column", -1);
        table.ColumnName = table.Categorical.FirstConstructorString;
        table.Cardinality = table.Categorical.GetInteger("Cardinality", 0);
        table.Storage = table.Categorical.GetInteger("Storage", 0);
        table.Rows = table.Categorical.GetInteger("Rows", 0);
        table.Pooling = table.Categorical.GetInteger("Pooling", 0);
        table.Hotness = table.Categorical.GetInteger("Hotness", 1);

        bool isPartial = syntax is not null && syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
        bool rightType = embeddingTable is not null && SymbolEqualityComparer.Default.Equals(property.Type, embeddingTable);
        bool hasBody = isPartial && (!property.IsPartialDefinition || property.PartialImplementationPart is not null);
        bool hasSetter = property.SetMethod is not null;

        if (!isPartial)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TableNotPartial, table.PropertyLocation, property.Name));
        if (!rightType && property.Type.TypeKind != TypeKind.Error)
        {
            var typeLocation = LocationInfo.From(syntax?.Type) ?? table.PropertyLocation;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TableWrongType, typeLocation, property.Name, property.Type.ToDisplayString()));
        }
        if (hasSetter)
        {
            var setterLocation = LocationInfo.From(syntax?.AccessorList?.Accessors.FirstOrDefault(a => !a.IsKind(SyntaxKind.GetAccessorDeclaration))) ?? table.PropertyLocation;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TableHasSetter, setterLocation, property.Name));
        }
        if (hasBody)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TableHasBody, table.PropertyLocation, property.Name));
        if (ReservedNames.Contains(property.Name))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReservedTableName, table.PropertyLocation, property.Name));

        table.IsImplementable = isPartial && rightType && !hasBody && !hasSetter && !property.IsIndexer;
        return table;
    }

    /// <summary>Members the generator adds to every model class (TokenOffsets names a constant after each ROBE table,
    /// so a table may not be named like that class); a table property may not take their names. The second line: names
    /// of members earlier versions generated, still reserved (freeing them would be a change of RG0027 of its own).</summary>
    internal static readonly HashSet<string> ReservedNames = new(StringComparer.Ordinal)
    {
        "DenseFeatures", "EmbeddingDim", "TableCount", "BlockSize", "RobeBlocks", "RobeSlots", "FullTableParameterCount",
        "ParameterCount", "ParameterBytes", "CompressionRatio", "Fingerprint", "BottomMlp", "TopMlp", "Declaration",
        "Definition", "Tables", "TokenOffsets", "CpuEmbedding", "GpuEmbedding",
        "RobeHash", "TableHash", "TableRows", "Key", "Hash", "Sign", "TokenOffset",
    };

    private static bool IsAttribute(AttributeData attribute, string fullName) =>
        attribute.AttributeClass?.ToDisplayString() == fullName;

    /// <summary>A declaration without errors becomes the model: table indices in declaration order, token offsets.</summary>
    private static DlrmModel Resolve(RawDeclaration raw)
    {
        var tokens = (TokenKind)raw.Tokens;
        bool named = raw.NamesColumns;
        var tables = new List<TableModel>();
        ulong vocabularyOffset = 0;
        for (int index = 0; index < raw.Tables.Count; index++)
        {
            RawTable t = raw.Tables[index];
            ulong offset = tokens == TokenKind.Vocabulary ? vocabularyOffset : (ulong)index << RawTokenTableShift;
            // A named column is read into the model's own order: the reader hands table t the column named t.ColumnName.
            int column = named ? index : (int)t.Column;
            string columnName = named ? t.ColumnName! : "C" + (t.Column + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            tables.Add(new TableModel(t.Name, t.Modifiers, index, column, columnName, t.Cardinality, (TableStorage)t.Storage, t.Rows, offset)
            {
                Pooling = (Pooling)t.Pooling,
                Hotness = (int)t.Hotness,
            });
            vocabularyOffset += (ulong)t.Cardinality;
        }
        return new DlrmModel(raw.Namespace, raw.ClassName, raw.FullName, (int)ColumnRules.DenseCount(raw), (int)raw.EmbeddingDim,
            raw.BottomMlp.Select(w => (int)w).ToEquatableArray(), raw.TopMlp.Select(w => (int)w).ToEquatableArray(),
            tokens, raw.RobeSlots, (int)raw.BlockSize, (RobeVariant)raw.Variant, tables.ToEquatableArray(),
            (InteractionKind)raw.Interaction, (int)raw.CrossLayers, (int)raw.CrossRank)
        {
            NamedColumns = named,
            LabelColumn = raw.Label ?? "label",
            DenseColumns = named ? raw.Dense.Select(d => new DenseColumnModel(d.Name!, (DenseTransform)d.Transform)).ToEquatableArray() : default,
        };
    }

    /// <summary>EmbeddingTable.RawTokenTableShift of the runtime: raw-id tables are 2^33 apart in xg.</summary>
    private const int RawTokenTableShift = 33;
}
