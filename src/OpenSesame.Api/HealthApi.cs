using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Storage;
using OpenSesame.Storage.Postgres;
using OpenSesame.Storage.Redis;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Api;

internal static class HealthApi
{
    private const string ReadyTag = "ready";

    /// <summary>The store's check is named after it when it is a server ("postgres", as "redis"), "storage" for the
    /// embedded file.</summary>
    public static IServiceCollection AddApiHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks();
        _ = PostgresStorageServiceCollectionExtensions.IsSelected(configuration)
            ? checks.AddCheck<PostgresHealthCheck>("postgres", tags: [ReadyTag])
            : checks.AddCheck<SqliteHealthCheck>("storage", tags: [ReadyTag]);
        checks
            .AddCheck<RecordingHealthCheck>("recording", tags: [ReadyTag])
            .AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag])
            .AddCheck<RateLimitHealthCheck>("rate-limits", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Degraded while the shared rate-limit store fails and this instance counts limits on its own: each
    /// instance then admits the whole limit, so a caller spread over several gets more.</summary>
    private sealed class RateLimitHealthCheck(RateLimitGate limits) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(limits.FallingBackSince is { } since
                ? HealthCheckResult.Degraded($"Rate limits are counted per instance since {since:u}: the shared store (Redis) does not answer.")
                : HealthCheckResult.Healthy(limits.IsShared ? "Rate limits are shared by every instance (Redis)." : "Rate limits are counted per instance."));
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

    /// <summary>Live: the process answers. Ready: its storage answers too, so traffic may be sent (Degraded, still 200,
    /// when Redis or the records' writes are in trouble: the answer names which). Open to anyone, keys
    /// or not: orchestrators probe without credentials, and the answers reveal nothing.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        routes.MapHealthChecks("/health/ready", new()
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReadinessAsync,
        }).AllowAnonymous();
        return routes;
    }

    /// <summary>The status alone when all is well, as probes expect ("Healthy"); otherwise the status, then one line
    /// per check that is not healthy with what it said, so an operator reads which part is degraded and why.</summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Description ?? e.Value.Status.ToString()}")
            .Prepend(report.Status.ToString());
        return context.Response.WriteAsync(string.Join("\n", lines), context.RequestAborted);
    }
}
