using System.CommandLine;

namespace OpenSesame.Cli.Tests;

/// <summary>Runs a command in process as <c>opensesame</c> would, with what it writes captured.</summary>
internal static class CommandRun
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(Command command, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await new RootCommand { command }.Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
