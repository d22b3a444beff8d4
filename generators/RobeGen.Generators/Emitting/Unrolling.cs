using RobeGen.Generators.Model;

namespace RobeGen.Generators.Emitting;

/// <summary>
/// Whether the declared Z's code is unrolled. Unrolled code grows with d (one line per coordinate for Signed), so
/// beyond a size no real DLRM reaches the declared path calls the generic loop instead of writing megabytes of source.
/// </summary>
internal static class Unrolling
{
    public const int MaxCoordinates = 1024;

    public static bool Applies(DlrmModel model) => model.EmbeddingDim <= MaxCoordinates;
}
