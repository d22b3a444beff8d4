using RobeGen.Benchmarks;

// Each benchmark is a command; more can be added beside "parse".
var commands = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["parse"] = ParseBenchmark.Run,
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"usage: RobeGen.Benchmarks <{string.Join("|", commands.Keys)}> [options]");
    Console.Error.WriteLine("  parse [--file PATH] [--repeat N] [--threads a,b,c] [--batch N]");
    return 2;
}
return command(args[1..]);
