using System.CommandLine;
using RobeGen.Checkpoints;
using RobeGen.Cli;
using RobeGen.Cli.Commands;
using RobeGen.Data;

var root = new RootCommand("robegen: train, evaluate and serve ROBE-compressed DLRM click-through models on the CPU or a CUDA GPU.")
{
    TrainCommand.Create(),
    EvalCommand.Create(),
    PredictCommand.Create(),
    InspectCommand.Create(),
};

try
{
    return root.Parse(args).Invoke();
}
catch (Exception e) when (CliErrors.IsUserFacing(e))
{
    Console.Error.WriteLine($"robegen: error: {e.Message}");
    return 1;
}
