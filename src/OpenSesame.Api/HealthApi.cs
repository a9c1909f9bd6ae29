using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Api;

internal static class HealthApi
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddApiHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Live: the process answers. Ready: its storage answers too, so traffic may be sent. Open to anyone, keys
    /// or not: orchestrators probe without credentials, and the answers reveal nothing.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        routes.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return routes;
    }

    private sealed class StorageHealthCheck(SqliteDatabase database) : IHealthCheck
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
}
