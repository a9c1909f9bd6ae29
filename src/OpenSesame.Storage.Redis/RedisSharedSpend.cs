using OpenSesame.Predictor.Routing;
using StackExchange.Redis;

namespace OpenSesame.Storage.Redis;

/// <summary>
/// The running budget in Redis: one integer key per UTC day and per month holding nano-USD, seeded when missing and
/// increased in one Lua script, so two instances' costs are added exactly and each sees the other's at once. Both keys
/// share a hash tag, so the script works on a Redis cluster too.
/// </summary>
internal sealed class RedisSharedSpend(RedisConnection redis) : ISharedSpend
{
    // KEYS: day, month. ARGV: nano-USD to add, day seed, month seed, day TTL (ms), month TTL (ms).
    private const string Script = """
        redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[4])
        redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[5])
        return {redis.call('INCRBY', KEYS[1], ARGV[1]), redis.call('INCRBY', KEYS[2], ARGV[1])}
        """;

    public async Task<SpendTotals> AddAsync(SpendPeriods periods, long nanoUsd, SpendTotals ifMissing, CancellationToken cancellationToken)
    {
        var database = await redis.DatabaseAsync();
        var result = (RedisResult[])(await database.ScriptEvaluateAsync(Script,
            [redis.Key("{budget}:day:" + periods.Day), redis.Key("{budget}:month:" + periods.Month)],
            [nanoUsd, ifMissing.TodayNanoUsd, ifMissing.MonthNanoUsd, (long)periods.DayKeptFor.TotalMilliseconds,
                (long)periods.MonthKeptFor.TotalMilliseconds]))!;
        return new SpendTotals((long)result[0], (long)result[1]);
    }
}
