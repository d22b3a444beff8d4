using RobeGen.Data;
using RobeGen.Synthetic;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Synthetic;

/// <summary>
/// The independent (original) teacher's rows, pinned: digests of rows made before the structured teacher existed.
/// Any change to the default data set (features, labels, bias) changes every study that used it, so it must fail here.
/// </summary>
public sealed class IndependentTeacherGoldenTests
{
    private static readonly SyntheticSpec Spec = new() { Seed = 5, Cardinalities = SyntheticSpec.CardinalityTable("kaggle", 0.001) };

    [Fact]
    public void Single_hot_rows_and_bias_are_unchanged()
    {
        var generator = new SyntheticGenerator(Spec);
        var batch = new Batch(3000, 13, 26);
        var p = new float[3000];
        generator.Fill(batch, 1000, 3000, p);
        Assert.Equal("-3.2980290303013", generator.Bias.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(7756989539478847415UL, Digest(batch.LabelSpan, batch.DenseSpan, batch.TokenSpan, p));
    }

    [Fact]
    public void Multi_hot_rows_are_unchanged()
    {
        var data = new SyntheticTrainingData(new SyntheticGenerator(Spec), 100, 2000).ForModel(MultiHotAuthors.Declaration);
        using IBatchCursor cursor = data.Open(DataPosition.Start, 2000);
        Assert.True(cursor.MoveNext());
        Batch b = cursor.Current;
        Assert.Equal("-3.254485251698128", data.Generator.Bias.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4670949942755907662UL, Digest(b.LabelSpan, b.Dense.AsSpan(0, b.Count * b.DenseFeatures), b.BagIds.AsSpan(0, b.IdCount), []));
    }

    /// <summary>FNV-1a over the raw bits of every value, in order.</summary>
    private static ulong Digest(ReadOnlySpan<float> labels, ReadOnlySpan<float> dense, ReadOnlySpan<ulong> tokens, ReadOnlySpan<float> p)
    {
        ulong h = 14695981039346656037UL;
        void Add(ulong v) { h = (h ^ v) * 1099511628211UL; }
        foreach (float v in labels) Add(BitConverter.SingleToUInt32Bits(v));
        foreach (float v in dense) Add(BitConverter.SingleToUInt32Bits(v));
        foreach (ulong v in tokens) Add(v);
        foreach (float v in p) Add(BitConverter.SingleToUInt32Bits(v));
        return h;
    }
}
