using RobeGen.Data;

using RobeGen.Lab.Benchmarking;

namespace RobeGen.Cli.Commands.Check;

/// <summary>Reads a labeled Criteo sample file into batches the checks can keep (the reader reuses its own).</summary>
internal static class CriteoTsv
{
    public static List<Batch> ReadBatches(string path, int batchSize, int maxRows)
    {
        var batches = new List<Batch>();
        using var reader = CriteoReader.Open(path, CriteoLayout.Labeled, new CriteoReaderOptions { BatchSize = batchSize });
        int rows = 0;
        foreach (var item in reader)
        {
            Batch source = item.Batch;
            if (rows >= maxRows || source.Count < batchSize) break; // whole batches only
            var copy = new Batch(batchSize, source.DenseFeatures, source.Tables) { Count = source.Count };
            source.LabelSpan.CopyTo(copy.Labels);
            source.DenseSpan.CopyTo(copy.Dense);
            source.TokenSpan.CopyTo(copy.Tokens);
            batches.Add(copy);
            rows += source.Count;
        }
        return batches;
    }
}
