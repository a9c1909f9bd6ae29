using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite;

/// <summary>
/// An <see cref="IDistributedCache"/> in the embedded SQLite file: the second tier of the LLM response cache
/// (<c>HybridCache</c> keeps the first in memory), so answers outlive a restart and are shared by the processes that
/// share the file. Expiry is measured with the <see cref="TimeProvider"/>: an expired entry is never returned and is
/// deleted when it is read; <see cref="DistributedCacheCleanupService"/> deletes the ones nobody reads again.
/// <para>The synchronous methods block on the asynchronous ones: Microsoft.Data.Sqlite completes its asynchronous
/// calls synchronously anyway, and <c>HybridCache</c> uses only the asynchronous ones.</para>
/// </summary>
internal sealed class SqliteDistributedCache(SqliteDatabase database, TimeProvider time) : IDistributedCache
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
        using (var read = connection.CreateCommand())
        {
            read.CommandText = """
                SELECT value, expires_at_ms, sliding_ms, absolute_expires_at_ms FROM distributed_cache WHERE key = $key
                """;
            read.Parameters.AddWithValue("$key", key);
            await using var reader = await read.ExecuteReaderAsync(token);
            if (!await reader.ReadAsync(token))
            {
                return null;
            }

            value = (byte[])reader.GetValue(0);
            expires = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            sliding = reader.IsDBNull(2) ? null : reader.GetInt64(2);
            absolute = reader.IsDBNull(3) ? null : reader.GetInt64(3);
        }

        if (expires <= now)
        {
            await DeleteExpiredAsync(connection, key, now, token);
            return null;
        }

        if (sliding is { } window)
        {
            await SlideAsync(connection, key, now, window, absolute, token);
        }

        return value;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var (expires, sliding, absoluteMs) = CacheEntryTimes.Of(options, time.GetUtcNow());
        await using var connection = await database.OpenAsync(token);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO distributed_cache (key, value, expires_at_ms, sliding_ms, absolute_expires_at_ms)
            VALUES ($key, $value, $expires, $sliding, $absolute)
            ON CONFLICT (key) DO UPDATE SET value = $value, expires_at_ms = $expires, sliding_ms = $sliding,
                                            absolute_expires_at_ms = $absolute
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$expires", (object?)expires ?? DBNull.Value);
        command.Parameters.AddWithValue("$sliding", (object?)sliding ?? DBNull.Value);
        command.Parameters.AddWithValue("$absolute", (object?)absoluteMs ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(token);
    }

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(token);
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE distributed_cache
            SET expires_at_ms = MIN($now + sliding_ms, COALESCE(absolute_expires_at_ms, $now + sliding_ms))
            WHERE key = $key AND sliding_ms IS NOT NULL AND expires_at_ms > $now
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", now);
        await command.ExecuteNonQueryAsync(token);
    }

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await database.OpenAsync(token);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM distributed_cache WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>Deletes every entry whose time is up; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM distributed_cache WHERE expires_at_ms <= $now";
        command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Only if it is still expired: another process may have written a fresh value since it was read.
    private static async Task DeleteExpiredAsync(SqliteConnection connection, string key, long now, CancellationToken token)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM distributed_cache WHERE key = $key AND expires_at_ms <= $now";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", now);
        await command.ExecuteNonQueryAsync(token);
    }

    private static async Task SlideAsync(SqliteConnection connection, string key, long now, long window, long? absolute,
        CancellationToken token)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE distributed_cache SET expires_at_ms = $expires WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$expires", CacheEntryTimes.SlidTo(now, window, absolute));
        await command.ExecuteNonQueryAsync(token);
    }
}

/// <summary>Deletes expired entries of the SQLite cache at start and then every
/// <see cref="StorageOptions.CacheCleanupInterval"/>; does nothing when the host registered another cache.</summary>
internal sealed partial class DistributedCacheCleanupService(IDistributedCache cache, IOptions<StorageOptions> options,
    TimeProvider time, ILogger<DistributedCacheCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (cache is not SqliteDistributedCache sqlite)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CacheCleanupInterval, time);
        do
        {
            await CleanUpAsync(sqlite, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task CleanUpAsync(SqliteDistributedCache sqlite, CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await sqlite.DeleteExpiredAsync(cancellationToken);
            if (deleted > 0)
            {
                LogDeleted(deleted);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next round tries again; reads never return an expired entry meanwhile.
            LogFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} expired cache entries")]
    private partial void LogDeleted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired cache entries failed")]
    private partial void LogFailed(Exception exception);
}
