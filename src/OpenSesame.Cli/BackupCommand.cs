using System.CommandLine;
using System.Globalization;
using OpenSesame.Predictor.Storage;
using Spectre.Console;

namespace OpenSesame.Cli;

/// <summary><c>opensesame backup --to FILE</c> and <c>opensesame restore --from FILE</c>: the whole store (audit log,
/// ledger, learned usage, outcomes, cached specs and embeddings) to one file and back, while the service may run.</summary>
internal static class BackupCommand
{
    public static Command CreateBackup(Func<CancellationToken, Task<StartedHost>>? startHost = null)
    {
        var to = new Option<string>("--to") { Description = "The file to write; it must not exist yet.", Required = true };
        var command = new Command("backup", "Copy the store to one file, as one consistent snapshot, while the service may be running.") { to };
        command.SetAction((parse, cancellationToken) => RunAsync(parse,
            backup => backup.BackupAsync(parse.GetValue(to)!, cancellationToken),
            $"Backed up to {Path.GetFullPath(parse.GetValue(to)!)}:", startHost, cancellationToken));
        return command;
    }

    public static Command CreateRestore(Func<CancellationToken, Task<StartedHost>>? startHost = null)
    {
        var from = new Option<string>("--from") { Description = "A file written by 'opensesame backup'.", Required = true };
        var command = new Command("restore", "Replace the store's content with a backup. A running service keeps its in-memory "
                                             + "state (running budget, learned usage) until it restarts; restart it after.") { from };
        command.SetAction((parse, cancellationToken) => RunAsync(parse,
            backup => backup.RestoreAsync(parse.GetValue(from)!, cancellationToken),
            $"Restored from {Path.GetFullPath(parse.GetValue(from)!)} (restart a running service so it reads it):", startHost,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<IStoreBackup, Task<IReadOnlyList<TableRows>>> act, string done,
        Func<CancellationToken, Task<StartedHost>>? startHost, CancellationToken cancellationToken)
    {
        await using var host = await (startHost?.Invoke(cancellationToken) ?? CliHost.StartAsync(cancellationToken: cancellationToken));
        IReadOnlyList<TableRows> tables;
        try
        {
            tables = await act(host.Get<IStoreBackup>());
        }
        catch (StoreBackupException ex)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(ex.Message);
            return 1;
        }

        Console.WriteLine(done);
        var table = new Table().AddColumns("table", "rows");
        foreach (var t in tables)
        {
            table.AddRow(Markup.Escape(t.Table), t.Rows.ToString("N0", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        return 0;
    }
}
