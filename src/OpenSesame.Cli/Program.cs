using System.CommandLine;
using OpenSesame.Cli;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // Spectre assumes 80 columns without a terminal; a pipe or a file has no width to respect.
    AnsiConsole.Profile.Width = 200;
}

var root = new RootCommand("OpenSesame Predictor: predict the next API calls of a user from an OpenAPI spec, "
                           + "their recent calls and an optional prompt.")
{
    PredictCommand.Create(),
    GenerateCommand.Create(),
    TrainCommand.Create(),
    RetrainCommand.Create(),
    ModelsCommand.Create(),
    EvalCommand.Create(),
    KeysCommand.Create(),
    PiiEvalCommand.Create(),
    AuditCommand.Create(),
    CostsCommand.Create(),
    BackupCommand.CreateBackup(),
    BackupCommand.CreateRestore(),
    MigrateCommand.Create(),
    SimulateCommand.Create(),
    ReplayCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
