using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpenSesame.Storage.Sqlite;

/// <summary>Healthy when the SQLite file opens and answers a query: what a readiness probe should know before traffic
/// is sent.</summary>
public sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The SQLite store does not answer.", ex);
        }
    }
}
