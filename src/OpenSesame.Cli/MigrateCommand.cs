using System.CommandLine;
using System.Data.Common;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Cli;

/// <summary><c>opensesame migrate</c>: brings the configured store's schema (<c>Storage:Provider</c>: the SQLite file or
/// the PostgreSQL database) to this build's version, as every start does, and says which steps it applied. Run it
/// before starting a new release against a shared database to see the changes happen in one place.</summary>
internal static class MigrateCommand
{
    public static Command Create(Func<CancellationToken, Task<StartedHost>>? startHost = null)
    {
        var command = new Command("migrate", "Bring the store's schema (Storage:Provider: Sqlite or Postgres) to this build's "
                                             + "version and print the steps applied.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var host = await (startHost?.Invoke(cancellationToken) ?? CliHost.StartAsync(cancellationToken: cancellationToken));
            var migrations = host.Get<IStoreMigrations>();
            MigrationReport report;
            try
            {
                report = await migrations.MigrateAsync(cancellationToken);
            }
            catch (DbException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"The {migrations.Store} could not be migrated: {ex.Message}");
                return 1;
            }

            if (report.Applied.Count == 0)
            {
                await output.WriteLineAsync($"The {report.Store} is up to date (schema version {report.Version}); nothing to apply.");
                return 0;
            }

            await output.WriteLineAsync($"Applied {report.Applied.Count} step(s) to the {report.Store}; schema version {report.Version}:");
            foreach (var step in report.Applied)
            {
                await output.WriteLineAsync($"  {step.Version}  {step.Name}");
            }

            return 0;
        });
        return command;
    }
}
