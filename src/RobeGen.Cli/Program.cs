using System.CommandLine;
using RobeGen.Cli;
using RobeGen.Cli.Commands;

var root = new RootCommand("robegen: train, evaluate and serve ROBE-compressed DLRM click-through models on the CPU or a CUDA GPU.")
{
    TrainCommand.Create(),
    EvalCommand.Create(),
    PredictCommand.Create(),
    InspectCommand.Create(),
    SynthCommand.Create(),
    ConvertCommand.Create(),
    SweepCommand.Create(),
    RobeGen.Cli.Commands.Check.CheckCommand.Create(),
    RobeGen.Cli.Commands.Bench.BenchCommand.Create(),
};

try
{
    // Our own handler below prints user errors as one line; bugs still get a stack trace.
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (CliErrors.IsUserFacing(e))
{
    Console.Error.WriteLine($"robegen: error: {e.Message}");
    return 1;
}
