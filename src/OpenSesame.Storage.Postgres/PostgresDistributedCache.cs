using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Postgres;

/// <summary>
/// An <see cref="IDistributedCache"/> in PostgreSQL: the second tier of the LLM response cache (<c>HybridCache</c> keeps
/// the first in memory), shared by every instance on the database. Expiry follows the <see cref="TimeProvider"/> as in
/// the SQLite cache: an expired entry is never returned and is deleted when read; <see cref="PostgresCacheCleanupService"/>
/// deletes the ones nobody reads again. The synchronous methods block on the asynchronous ones, which are all
/// <c>HybridCache</c> calls.
/// </summary>
internal sealed class PostgresDistributedCache(PostgresDatabase database, TimeProvider time) : IDistributedCache
{
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(token);
        byte[] value;
        long? expires;
        long? sliding;
        long? absolute;
        await using (var read = new NpgsqlCommand(
            "SELECT value, expires_at_ms, sliding_ms, absolute_expires_at_ms FROM distributed_cache WHERE key = @key", connection))
        {
            read.Parameters.AddWithValue("key", key);
            await using var reader = await read.ExecuteReaderAsync(token);
            if (!await reader.ReadAsync(token))
            {
                return null;
            }

            value = reader.GetFieldValue<byte[]>(0);
            expires = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            sliding = reader.IsDBNull(2) ? null : reader.GetInt64(2);
            absolute = reader.IsDBNull(3) ? null : reader.GetInt64(3);
        }

        if (expires <= now)
        {
            // Only if it is still expired: another instance may have written a fresh value since it was read.
            await using var delete = new NpgsqlCommand("DELETE FROM distributed_cache WHERE key = @key AND expires_at_ms <= @now", connection);
            delete.Parameters.AddWithValue("key", key);
            delete.Parameters.AddWithValue("now", now);
            await delete.ExecuteNonQueryAsync(token);
            return null;
        }

        if (sliding is { } window)
        {
            await using var slide = new NpgsqlCommand("UPDATE distributed_cache SET expires_at_ms = @expires WHERE key = @key", connection);
            slide.Parameters.AddWithValue("key", key);
            slide.Parameters.AddWithValue("expires", CacheEntryTimes.SlidTo(now, window, absolute));
            await slide.ExecuteNonQueryAsync(token);
        }

        return value;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var (expires, sliding, absolute) = CacheEntryTimes.Of(options, time.GetUtcNow());
        await using var connection = await database.OpenAsync(token);
        await using var command = new NpgsqlCommand("""
            INSERT INTO distributed_cache (key, value, expires_at_ms, sliding_ms, absolute_expires_at_ms)
            VALUES (@key, @value, @expires, @sliding, @absolute)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at_ms = excluded.expires_at_ms,
                                            sliding_ms = excluded.sliding_ms, absolute_expires_at_ms = excluded.absolute_expires_at_ms
            """, connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("value", value);
        command.Parameters.AddBigint("expires", expires);
        command.Parameters.AddBigint("sliding", sliding);
        command.Parameters.AddBigint("absolute", absolute);
        await command.ExecuteNonQueryAsync(token);
    }

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await database.OpenAsync(token);
        await using var command = new NpgsqlCommand("""
            UPDATE distributed_cache
            SET expires_at_ms = LEAST(@now + sliding_ms, COALESCE(absolute_expires_at_ms, @now + sliding_ms))
            WHERE key = @key AND sliding_ms IS NOT NULL AND expires_at_ms > @now
            """, connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("now", time.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(token);
    }

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await database.OpenAsync(token);
        await using var command = new NpgsqlCommand("DELETE FROM distributed_cache WHERE key = @key", connection);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>Deletes every entry whose time is up; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM distributed_cache WHERE expires_at_ms <= @now", connection);
        command.Parameters.AddWithValue("now", time.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Deletes expired entries of the PostgreSQL cache at start and then every
/// <see cref="StorageOptions.CacheCleanupInterval"/>.</summary>
internal sealed class PostgresCacheCleanupService(PostgresDistributedCache cache, IOptions<StorageOptions> options, TimeProvider time,
    ILogger<PostgresCacheCleanupService> logger)
    : PeriodicCleanupService(options.Value.CacheCleanupInterval, time, logger, "expired cache entries")
{
    protected override Task<int> DeleteAsync(CancellationToken cancellationToken) => cache.DeleteExpiredAsync(cancellationToken);
}
