using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace OpenSesame.Cli;

/// <summary>What the reporting commands (<c>costs</c>, <c>simulate</c>) share to print tables: invariant numbers and
/// amounts, rows of plain text, and a console on the invocation's writer.</summary>
internal static class CliTables
{
    public static void AddRow(Table table, params string[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());

    public static void AddRow(Grid grid, params string[] cells) =>
        grid.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());

    /// <summary>Amounts as they are (to the nano-dollar), with at least cents: $0.00, $0.0062.</summary>
    public static string Usd(decimal usd) => "$" + usd.ToString("0.00#######", CultureInfo.InvariantCulture);

    public static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The tables go where the invocation writes (the console, or a test's writer). Without a terminal there
    /// is no width to respect, as in Program.cs.</summary>
    public static IAnsiConsole ConsoleFor(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = 200;
        }

        return console;
    }
}
