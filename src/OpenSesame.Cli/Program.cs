using System.CommandLine;
using OpenSesame.Cli;

var root = new RootCommand("OpenSesame Predictor: predict the next API calls of a user from an OpenAPI spec, "
                           + "their recent calls and an optional prompt.")
{
    PredictCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
