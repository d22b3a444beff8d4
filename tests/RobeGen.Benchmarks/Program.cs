using RobeGen.Benchmarks;
using RobeGen.Benchmarks.Cpu;
using RobeGen.Benchmarks.Onnx;

// Each benchmark is a command; more can be added beside "parse".
var commands = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["parse"] = ParseBenchmark.Run,
    ["cpu"] = CpuBenchmark.Run,
    ["cpu-memory"] = RobeMemoryProbe.Run,
    ["cpu-gemm"] = GemmProfile.Run,
    ["onnx"] = OnnxBenchmark.Run,
    ["parquet"] = ParquetBenchmark.Run,
    ["multihot"] = MultiHotBenchmark.Run,
    ["auc"] = EvaluationBenchmark.Auc,
    ["synthetic"] = EvaluationBenchmark.Synthetic,
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"usage: RobeGen.Benchmarks <{string.Join("|", commands.Keys)}> [options]");
    Console.Error.WriteLine("  parse [--file PATH] [--repeat N] [--threads a,b,c] [--batch N] [--inflate-threads -1,0,...] [--files-at-once 1,2,...]");
    Console.Error.WriteLine("  cpu [--rounds N] [--seconds S] [--threads N] [--seed N] [--no-torch] [--inference-only | --training-only] [--torch PATH-TO-RobeGen.Benchmarks.TorchSharp.dll]");
    Console.Error.WriteLine("  cpu-gemm [--batch N] [--threads N] [--seconds S]   (every GEMM of a Kaggle training step: us and GFLOP/s)");
    Console.Error.WriteLine("  onnx [--model criteo-kaggle|criteo-terabyte] [--batches 1,64,2048] [--rounds N] [--seconds S]   (ONNX Runtime CPU on the exported model vs RobeGen's predictor)");
    Console.Error.WriteLine("  cpu-memory [--batch N] [--steps N] [--threads N]   (peak RSS of ROBE 1000x training; cpu runs it in a child)");
    Console.Error.WriteLine("  parquet [--file PATH] [--repeat N] [--batch N] [--decode-threads 0,1,2] [--read-only]   (reading and training rows/s from Parquet beside TSV; Parquet.Net vs ParquetSharp)");
    Console.Error.WriteLine("  multihot [--rows N] [--multi K] [--hotness H] [--batch N]   (CSV and Parquet rows/s with K of 26 columns lists of ~H ids, beside single-hot)");
    Console.Error.WriteLine("  auc [--rows N]   (seconds of exact AUC over N predictions with many ties; default 50,000,000)");
    Console.Error.WriteLine("  synthetic [--teacher independent|structured] [--seconds S]   (synthetic rows/s, MLPerf cardinalities, and a hash of fixed rows)");
    return 2;
}
return command(args[1..]);
