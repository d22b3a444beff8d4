using System.Globalization;
using System.Text;
using RobeGen.Cli.Files;
using RobeGen.Cuda;
using RobeGen.Lab.Benchmarking;

namespace RobeGen.Cli.Commands.Bench;

/// <summary>One measured line of the bench.</summary>
/// <param name="IdsPerSample">Ids a sample's cells hold (the table count when single-hot): what the embedding layer and its floor read.</param>
internal sealed record BenchRow(string Model, string Storage, int Batch, ThroughputResult Throughput, EmbeddingLayerTimes? Embedding,
    double FloorMs, long DeviceBytes, int IdsPerSample);

/// <summary>Prints the bench's rows as they come and writes them as CSV at the end.</summary>
internal sealed class BenchTable(string deviceName, string precision)
{
    private readonly List<BenchRow> _rows = new();

    public void PrintHeader()
    {
        Console.WriteLine($"  {"model",-27} {"storage",-26} {"batch",6} {"ids",4} {"train/s",11} {"train async/s",13} {"infer/s",11} {"infer dev/s",12} " +
            $"{"emb fwd ms",10} {"emb f+b+u ms",12} {"floor ms",9} {"fwd/floor",9} {"fbu/floor",9} {"MiB",7}");
    }

    public void Add(BenchRow row)
    {
        _rows.Add(row);
        var t = row.Throughput;
        string Ms(double? v) => v is double x && !double.IsNaN(x) ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-";
        string Rate(double v) => double.IsNaN(v) ? "-" : v.ToString("N0", CultureInfo.InvariantCulture);
        double? fwd = row.Embedding?.Forward, fbu = row.Embedding?.ForwardBackwardUpdate;
        Console.WriteLine($"  {row.Model,-27} {row.Storage,-26} {row.Batch,6} {row.IdsPerSample,4} {Rate(t.Train),11} {Rate(t.TrainAsync),13} {Rate(t.Inference),11} {Rate(t.InferenceOnDevice),12} " +
            $"{Ms(fwd),10} {Ms(fbu),12} {Ms(row.FloorMs),9} {Ratio(fwd, row.FloorMs),9} {Ratio(fbu, row.FloorMs),9} {row.DeviceBytes >> 20,7}" +
            $"   (loss {t.Loss:0.0000}, {deviceName}, {precision})");
    }

    private static string Ratio(double? value, double floor) =>
        value is double v && !double.IsNaN(floor) ? (v / floor).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";

    public void WriteCsv(OutputPath output)
    {
        var csv = new StringBuilder("device,precision,model,storage,batch,train_per_s,train_async_per_s,infer_per_s,infer_device_per_s,emb_fwd_ms,emb_fbu_ms,floor_ms,ids_per_sample\n");
        foreach (var r in _rows)
            csv.AppendLine(string.Join(",", deviceName.Replace(',', ' '), precision, r.Model, r.Storage.Replace(',', ' '), r.Batch.ToString(CultureInfo.InvariantCulture),
                F(r.Throughput.Train), F(r.Throughput.TrainAsync), F(r.Throughput.Inference), F(r.Throughput.InferenceOnDevice),
                F(r.Embedding?.Forward ?? double.NaN), F(r.Embedding?.ForwardBackwardUpdate ?? double.NaN), F(r.FloorMs),
                r.IdsPerSample.ToString(CultureInfo.InvariantCulture)));
        byte[] bytes = Encoding.UTF8.GetBytes(csv.ToString());
        AtomicOutput.Write(output, stream =>
        {
            stream.Write(bytes);
            return bytes.Length;
        });
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
}
