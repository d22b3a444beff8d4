using System.CommandLine;
using System.CommandLine.Help;
using RobeGen.Cli;
using RobeGen.Cli.Commands;
using RobeGen.Cli.Commands.Train;

// A plain Command named "robegen" rather than RootCommand, whose name is the executable's ("RobeGen.Cli" under
// `dotnet RobeGen.Cli.dll`), so that Usage: lines name the tool as users type it. Help and version as RootCommand adds them.
var root = new Command("robegen", "robegen: train, evaluate and serve ROBE-compressed DLRM click-through models on the CPU or a CUDA GPU.")
{
    new HelpOption(),
    new VersionOption(),
    TrainCommand.Create(),
    EvalCommand.Create(),
    PredictCommand.Create(),
    InspectCommand.Create(),
    ExportCommand.Create(),
    SynthCommand.Create(),
    ConvertCommand.Create(),
    SweepCommand.Create(),
    RobeGen.Cli.Commands.Check.CheckCommand.Create(),
    RobeGen.Cli.Commands.Bench.BenchCommand.Create(),
};

ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0 && (parse.CommandResult.Command != root || args.Length > 0))
{
    // A usage error: one line per problem, in the flag's words, and exit 2 (the convention for bad usage).
    foreach (var error in parse.Errors) Console.Error.WriteLine($"robegen: error: {UsageErrors.OneLine(error)}");
    return 2;
}
try
{
    // Our own handler below prints user errors as one line; bugs still get a stack trace.
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (CliErrors.IsUserFacing(e))
{
    Console.Error.WriteLine($"robegen: error: {CliErrors.OneLine(e)}");
    return e is CliException { ExitCode: var code } ? code : 1;
}
