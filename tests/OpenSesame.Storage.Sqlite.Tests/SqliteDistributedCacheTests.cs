using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite.Tests;

/// <summary>The SQLite tier of the LLM response cache, on a real file and a fake clock.</summary>
public sealed class SqliteDistributedCacheTests : IDisposable
{
    private static readonly byte[] Answer = [1, 2, 3];
    private readonly string _folder = Directory.CreateTempSubdirectory("opensesame-cache-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;
    private readonly SqliteDistributedCache _cache;

    public SqliteDistributedCacheTests()
    {
        _database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _folder }));
        _cache = new SqliteDistributedCache(_database, _time);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AValueIsReadBackUntilItsAbsoluteExpirationAndNeverAfter()
    {
        await _cache.SetAsync("k", Answer, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) }, Cancel);

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(Answer, await _cache.GetAsync("k", Cancel));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await _cache.GetAsync("k", Cancel));
        // Reading it expired deleted it.
        Assert.Equal(0, await CountRowsAsync());
    }

    [Fact]
    public async Task ASlidingEntryLivesWhileItIsReadButNotPastItsAbsoluteExpiration()
    {
        await _cache.SetAsync("k", Answer, new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromMinutes(10),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(25),
        }, Cancel);

        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(await _cache.GetAsync("k", Cancel));
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(await _cache.GetAsync("k", Cancel));
        _time.Advance(TimeSpan.FromMinutes(8));
        Assert.Null(await _cache.GetAsync("k", Cancel));
    }

    [Fact]
    public async Task SettingAKeyAgainReplacesItsValueAndRemoveDeletesIt()
    {
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };
        await _cache.SetAsync("k", Answer, options, Cancel);
        await _cache.SetAsync("k", [9], options, Cancel);

        Assert.Equal([9], await _cache.GetAsync("k", Cancel));
        await _cache.RemoveAsync("k", Cancel);
        Assert.Null(await _cache.GetAsync("k", Cancel));
    }

    [Fact]
    public async Task TheCleanupDeletesExpiredEntriesNobodyReadsAndKeepsTheOthers()
    {
        await _cache.SetAsync("old", Answer, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) }, Cancel);
        await _cache.SetAsync("new", Answer, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) }, Cancel);
        _time.Advance(TimeSpan.FromMinutes(6));

        var cleanup = new DistributedCacheCleanupService(_cache, Options.Create(new StorageOptions()), _time,
            NullLogger<DistributedCacheCleanupService>.Instance);
        await cleanup.CleanUpAsync(_cache, Cancel);

        Assert.Equal(1, await CountRowsAsync());
        Assert.NotNull(await _cache.GetAsync("new", Cancel));
    }

    [Fact]
    public async Task AnExpirationInThePastIsRefused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _cache.SetAsync("k", Answer,
            new DistributedCacheEntryOptions { AbsoluteExpiration = _time.GetUtcNow().AddSeconds(-1) }, Cancel));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<long> CountRowsAsync()
    {
        await using var connection = await _database.OpenAsync(Cancel);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM distributed_cache";
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }
}
