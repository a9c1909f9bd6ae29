using System.CommandLine;

namespace OpenSesame.Cli.Tests;

/// <summary>Runs a command in process as <c>opensesame</c> would, with what it writes captured.</summary>
internal static class CommandRun
{
    public static Task<(int Code, string Output, string Error)> RunAsync(Command command, params string[] args) =>
        RunAsync(command, TestContext.Current.CancellationToken, args);

    /// <param name="stop">Stops the command as Ctrl+C would.</param>
    public static async Task<(int Code, string Output, string Error)> RunAsync(Command command, CancellationToken stop, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await new RootCommand { command }.Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, stop);
        return (code, output.ToString(), error.ToString());
    }
}
