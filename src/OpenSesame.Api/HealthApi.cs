using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenSesame.Predictor.Storage;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Api;

internal static class HealthApi
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddApiHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<SqliteHealthCheck>("storage", tags: [ReadyTag])
            .AddCheck<RecordingHealthCheck>("recording", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Degraded while the prediction records' writes are late, or after one was lost: predictions are
    /// answered, but what they leave behind (audit, ledger, usage, outcomes) is at risk or missing.</summary>
    private sealed class RecordingHealthCheck(RecordWriter recording) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var status = recording.Status();
            var data = new Dictionary<string, object> { ["pending"] = status.Pending, ["dropped"] = status.Dropped };
            return Task.FromResult(status switch
            {
                { Late: { } late } => HealthCheckResult.Degraded(
                    $"Records are not being written: the write in progress has taken {late.TotalSeconds:0.#} s; {status.Pending} wait in memory.", data: data),
                { RecentLoss: true } => HealthCheckResult.Degraded(
                    $"{status.Dropped} records were never written, the last at {status.LastLoss:u}; see the error log.", data: data),
                _ => HealthCheckResult.Healthy(data: data),
            });
        }
    }

    /// <summary>Live: the process answers. Ready: its storage answers too, so traffic may be sent. Open to anyone, keys
    /// or not: orchestrators probe without credentials, and the answers reveal nothing.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        routes.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return routes;
    }
}
