using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpenSesame.Storage.Redis;

/// <summary>Healthy when Redis answers a PING, or when none is configured (nothing is shared, nothing is missing).
/// Degraded, not Unhealthy, when it does not answer: the service still answers, with limits counted per instance and
/// the budget in each process's memory, and the readiness answer says so by name.</summary>
public sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.Options.IsConfigured)
        {
            return HealthCheckResult.Healthy("Redis is not configured: limits, budget and caches are per instance.");
        }

        try
        {
            var database = await redis.DatabaseAsync();
            var latency = await database.PingAsync();
            return HealthCheckResult.Healthy($"Redis answers ({latency.TotalMilliseconds:0.#} ms).");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Degraded("Redis does not answer: rate limits are counted per instance and the budget "
                + "sees only this instance's new spend until it does.", ex);
        }
    }
}
