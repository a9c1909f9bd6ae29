using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenSesame.Predictor.Guardrails;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Storage.Redis;

public static class RedisStorageServiceCollectionExtensions
{
    /// <summary>
    /// The state several instances share, from the "Redis" section: with <c>Redis:Configuration</c> set, the rate
    /// limits' counts (<see cref="IRateLimitStore"/>), the running budget (<see cref="ISharedSpend"/>) and the LLM
    /// response cache's second tier (the <c>IDistributedCache</c> under HybridCache) live in Redis, and learned usage's
    /// change notices go through it (<see cref="IUsageChangeFeed"/>).
    /// Empty (the default), only the connection's options and its health check are registered, and every instance
    /// keeps its own. Call before the other storage providers and the rate limiter, whose defaults give way to what
    /// is registered here.
    /// </summary>
    public static IServiceCollection AddRedisStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(RedisOptions.Section);
        services.AddOptions<RedisOptions>().Bind(section)
            .Validate(o => o.CommandTimeout > TimeSpan.Zero && o.ConnectTimeout > TimeSpan.Zero && o.KeyPrefix is not null,
                "Redis: CommandTimeout and ConnectTimeout must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisConnection>();
        if (string.IsNullOrWhiteSpace(section[nameof(RedisOptions.Configuration)]))
        {
            return services;
        }

        services.TryAddSingleton<IRateLimitStore, RedisRateLimitStore>();
        services.TryAddSingleton<ISharedSpend, RedisSharedSpend>();
        services.TryAddSingleton<IUsageChangeFeed, RedisUsageChangeFeed>();
        // The LLM response cache's second tier (HybridCache reads it after its memory), on the one shared connection.
        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<RedisConnection>((cache, redis) =>
        {
            cache.InstanceName = redis.Options.KeyPrefix + "cache:";
            cache.ConnectionMultiplexerFactory = async () => await redis.MultiplexerAsync();
        });
        return services;
    }
}
