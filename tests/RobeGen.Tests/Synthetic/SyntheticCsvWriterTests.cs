using RobeGen.Data;
using RobeGen.Data.Tabular;
using RobeGen.Synthetic;
using RobeGen.Tests.Models;

namespace RobeGen.Tests.Synthetic;

/// <summary>A multi-hot model's synthetic CSV reads back, through the CSV reader and the declared transforms, into the
/// very batches the generator fills in memory.</summary>
public sealed class SyntheticCsvWriterTests
{
    private static readonly SyntheticGenerator Generator = new(new SyntheticSpec { Seed = 3, Cardinalities = SyntheticSpec.CardinalityTable("kaggle", 0.001) });

    [Fact]
    public void The_csv_reads_back_as_the_generators_own_bags()
    {
        ModelDeclaration declaration = MultiHotDcnV2.Declaration; // Vocabulary tokens, three Sum bags, Log1p dense columns
        const int rows = 60;
        string path = Path.Combine(Directory.CreateTempSubdirectory("robegen-synth-csv-").FullName, "rows.csv");
        try
        {
            SyntheticCsvWriter.Write(Generator, declaration, firstRow: 100, rows, path);
            Assert.Equal("label,I1,I2,C1,C2,C3", File.ReadLines(path).First());

            SyntheticGenerator bags = Generator.ForMultiHot(declaration);
            var expected = new Batch(rows, declaration.DenseFeatures, declaration.TableCount, multiHot: true);
            bags.FillBags(expected, 100, rows, declaration.DenseFeatures, declaration.Tables.Select(t => t.Column).ToArray());

            using IBatchCursor cursor = new TabularData(declaration, [path]).Open(DataPosition.Start, rows);
            Assert.True(cursor.MoveNext());
            Batch read = cursor.Current;
            Assert.Equal(rows, read.Count);
            Assert.Equal(expected.LabelSpan.ToArray(), read.LabelSpan.ToArray());
            Assert.Equal(expected.BagOffsets.AsSpan(0, rows * 3 + 1).ToArray(), read.BagOffsets.AsSpan(0, rows * 3 + 1).ToArray());
            Assert.Equal(expected.BagIds.AsSpan(0, expected.IdCount).ToArray(), read.BagIds.AsSpan(0, read.IdCount).ToArray());
            for (int i = 0; i < rows * declaration.DenseFeatures; i++) Assert.Equal(expected.Dense[i], read.Dense[i], 1e-6f);
            Assert.False(cursor.MoveNext());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void A_single_hot_model_is_refused_with_the_tsv_writer_named()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SyntheticCsvWriter.Write(Generator, SmallDcnLowRank.Declaration, 0, 1, TextWriter.Null));
        Assert.Contains("SyntheticTsvWriter", error.Message);
    }
}
