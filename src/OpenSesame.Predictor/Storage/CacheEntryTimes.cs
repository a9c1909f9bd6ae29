using Microsoft.Extensions.Caching.Distributed;

namespace OpenSesame.Predictor.Storage;

/// <summary>
/// When an entry of a database-backed <see cref="IDistributedCache"/> (the LLM response cache's second tier) expires,
/// in Unix milliseconds, as every provider stores it: <see cref="Expires"/> is the time it stops being served (the next
/// slide of a sliding entry, capped by its absolute expiration), <see cref="Sliding"/> and <see cref="Absolute"/> what
/// a read needs to slide it again.
/// </summary>
internal readonly record struct CacheEntryTimes(long? Expires, long? Sliding, long? Absolute)
{
    /// <exception cref="ArgumentOutOfRangeException">The absolute expiration is not in the future.</exception>
    public static CacheEntryTimes Of(DistributedCacheEntryOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var absolute = options.AbsoluteExpiration ?? (now + options.AbsoluteExpirationRelativeToNow);
        if (absolute <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(options), absolute, "The absolute expiration must be in the future.");
        }

        var sliding = options.SlidingExpiration is { } window ? (long)window.TotalMilliseconds : (long?)null;
        long? absoluteMs = absolute?.ToUnixTimeMilliseconds();
        var expires = sliding is { } slide ? SlidTo(now.ToUnixTimeMilliseconds(), slide, absoluteMs) : absoluteMs;
        return new CacheEntryTimes(expires, sliding, absoluteMs);
    }

    /// <summary>The expiry of a sliding entry read at <paramref name="now"/>.</summary>
    public static long SlidTo(long now, long window, long? absolute) => Math.Min(now + window, absolute ?? long.MaxValue);
}
