using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpenSesame.Storage.Postgres;

/// <summary>
/// Brings the schema up to date when the host starts, so the first request does not pay for it. A server that cannot
/// be reached does not stop the service from starting (readiness reports it, and the first connection tries again);
/// a step the server refuses does, because nothing would work on a half-made schema.
/// </summary>
internal sealed partial class PostgresMigrationService(PostgresDatabase database, ILogger<PostgresMigrationService> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var report = await database.MigrateAsync(cancellationToken);
            foreach (var step in report.Applied)
            {
                LogApplied(step.Version, step.Name, report.Store);
            }
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            LogUnreachable(ex, database.Description);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema step {Version} ({Name}) to the {Store}")]
    private partial void LogApplied(int version, string name, string store);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Store} does not answer; the schema is brought up to date on first use")]
    private partial void LogUnreachable(Exception exception, string store);
}
