using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RobeGen.Generators.Model;

/// <summary>
/// A source location as plain values: a <see cref="Location"/> holds its syntax tree alive and compares by
/// reference, which would defeat the incremental pipeline's caching.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());
}
