using OpenSesame.Predictor.Guardrails;
using StackExchange.Redis;

namespace OpenSesame.Storage.Redis;

/// <summary>
/// The rate limits' counts in Redis, shared by every instance: one Lua script per request reads the caller's window,
/// starts a new one when it has ended and counts the request, atomically, so instances behind one balancer admit
/// exactly the limit between them. The same fixed window as the in-process store (it starts with the caller's first
/// request; refused requests count too and do not lengthen it), on the service's clock: each instance passes its
/// <see cref="TimeProvider"/>'s time, which instances kept in step by NTP agree on to well under a window. Redis
/// expires a window's key when the window ends.
/// </summary>
internal sealed class RedisRateLimitStore(RedisConnection redis, TimeProvider time) : IRateLimitStore
{
    // KEYS[1]: the caller's window, a hash of c (count) and e (end, ms). ARGV: now (ms), window (ms).
    private const string Script = """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local ends = tonumber(redis.call('HGET', KEYS[1], 'e'))
        if not ends or ends <= now then
          ends = now + window
          redis.call('HSET', KEYS[1], 'c', 1, 'e', ends)
          redis.call('PEXPIRE', KEYS[1], window)
          return {1, window}
        end
        return {redis.call('HINCRBY', KEYS[1], 'c', 1), ends - now}
        """;

    public async ValueTask<RateLimitDecision> AcquireAsync(string partition, int permitLimit, TimeSpan window,
        CancellationToken cancellationToken)
    {
        var database = await redis.DatabaseAsync();
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(Script, [redis.Key("ratelimit:" + partition)],
            [time.GetUtcNow().ToUnixTimeMilliseconds(), (long)window.TotalMilliseconds]))!;
        var count = (long)result[0];
        return new RateLimitDecision(count <= permitLimit, (int)Math.Max(0, permitLimit - count),
            TimeSpan.FromMilliseconds((long)result[1]));
    }
}
