using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace OpenSesame.Storage.Postgres;

/// <summary>Healthy when the PostgreSQL server answers a query and holds this build's schema; Unhealthy otherwise, as the
/// SQLite check is when its file does not answer: the store is the service's system of record.</summary>
public sealed class PostgresHealthCheck(PostgresDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"postgres answers ({database.Description}).");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"postgres does not answer ({database.Description}): {ex.Message}", ex);
        }
    }
}
