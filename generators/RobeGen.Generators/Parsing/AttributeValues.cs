using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RobeGen.Generators.Model;

namespace RobeGen.Generators.Parsing;

/// <summary>
/// Reads the named arguments of one attribute application and finds the source location of each, so that a
/// diagnostic can point at the exact argument (or array element) that is wrong.
/// </summary>
internal sealed class AttributeValues
{
    private readonly AttributeData _attribute;
    private readonly AttributeSyntax? _syntax;

    public AttributeValues(AttributeData attribute, CancellationToken cancellationToken)
    {
        _attribute = attribute;
        _syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
    }

    /// <summary>The whole attribute, where a missing argument is reported.</summary>
    public LocationInfo? Location => LocationInfo.From(_syntax);

    public bool Has(string name) => TryGet(name, out _);

    public long GetInteger(string name, long defaultValue) =>
        TryGet(name, out TypedConstant value) && value.Value is { } raw ? System.Convert.ToInt64(raw, System.Globalization.CultureInfo.InvariantCulture) : defaultValue;

    /// <summary>A string named argument; null when absent or null.</summary>
    public string? GetString(string name) => TryGet(name, out TypedConstant value) ? value.Value as string : null;

    /// <summary>The first constructor argument as a string (the column name of [Dense("x")], [Categorical("x")]); null when none.</summary>
    public string? FirstConstructorString =>
        _attribute.ConstructorArguments.Length > 0 && _attribute.ConstructorArguments[0].Kind != TypedConstantKind.Error
            ? _attribute.ConstructorArguments[0].Value as string ?? ""
            : null;

    /// <summary>The first positional argument's location (the attribute's when none).</summary>
    public LocationInfo? ConstructorArgumentLocation =>
        LocationInfo.From(_syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)) ?? Location;

    /// <summary>Integer array value; null when absent or null.</summary>
    public IReadOnlyList<long>? GetIntegerArray(string name)
    {
        if (!TryGet(name, out TypedConstant value) || value.Kind != TypedConstantKind.Array || value.IsNull) return null;
        return value.Values
            .Select(v => v.Value is { } raw ? System.Convert.ToInt64(raw, System.Globalization.CultureInfo.InvariantCulture) : 0L)
            .ToList();
    }

    /// <summary>The argument's location, or the attribute's when the argument is absent.</summary>
    public LocationInfo? ArgumentLocation(string name) => LocationInfo.From(FindArgument(name)) ?? Location;

    /// <summary>The location of element <paramref name="index"/> of an array argument (the argument's when not found).</summary>
    public LocationInfo? ElementLocation(string name, int index)
    {
        AttributeArgumentSyntax? argument = FindArgument(name);
        ExpressionSyntax? element = argument?.Expression switch
        {
            ImplicitArrayCreationExpressionSyntax implicitArray => At(implicitArray.Initializer.Expressions, index),
            ArrayCreationExpressionSyntax array => array.Initializer is { } init ? At(init.Expressions, index) : null,
            CollectionExpressionSyntax collection => index < collection.Elements.Count
                ? (collection.Elements[index] as ExpressionElementSyntax)?.Expression
                : null,
            _ => null,
        };
        return LocationInfo.From(element) ?? ArgumentLocation(name);
    }

    private static ExpressionSyntax? At(SeparatedSyntaxList<ExpressionSyntax> items, int index) =>
        index < items.Count ? items[index] : null;

    private bool TryGet(string name, out TypedConstant value)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in _attribute.NamedArguments)
        {
            // An argument that does not bind (a compile error of its own) counts as absent.
            if (argument.Key == name && argument.Value.Kind != TypedConstantKind.Error)
            {
                value = argument.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    private AttributeArgumentSyntax? FindArgument(string name) =>
        _syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
}
