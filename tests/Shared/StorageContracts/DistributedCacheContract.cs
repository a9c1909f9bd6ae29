using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every store's <see cref="IDistributedCache"/> (the LLM response cache's second tier) must do, on the
/// test's clock.</summary>
public abstract class DistributedCacheContract : StoreContract
{
    private static readonly byte[] Answer = [1, 2, 3];

    private IDistributedCache Cache => Get<IDistributedCache>();

    [Fact]
    public async Task AValueIsReadBackUntilItsAbsoluteExpirationAndNeverAfter()
    {
        await Cache.SetAsync("k", Answer, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) }, Cancel);

        Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(Answer, await Cache.GetAsync("k", Cancel));

        Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await Cache.GetAsync("k", Cancel));
        // Reading it expired deleted it.
        Assert.Equal(0, await CountRowsAsync("distributed_cache"));
    }

    [Fact]
    public async Task ASlidingEntryLivesWhileItIsReadButNotPastItsAbsoluteExpiration()
    {
        await Cache.SetAsync("k", Answer, new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromMinutes(10),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(25),
        }, Cancel);

        Time.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(await Cache.GetAsync("k", Cancel));
        Time.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(await Cache.GetAsync("k", Cancel));
        Time.Advance(TimeSpan.FromMinutes(8));
        Assert.Null(await Cache.GetAsync("k", Cancel));
    }

    [Fact]
    public async Task RefreshingASlidingEntryKeepsItWithoutReadingIt()
    {
        await Cache.SetAsync("k", Answer, new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10) }, Cancel);

        Time.Advance(TimeSpan.FromMinutes(9));
        await Cache.RefreshAsync("k", Cancel);
        Time.Advance(TimeSpan.FromMinutes(9));

        Assert.Equal(Answer, await Cache.GetAsync("k", Cancel));
    }

    [Fact]
    public async Task SettingAKeyAgainReplacesItsValueAndRemoveDeletesIt()
    {
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };
        await Cache.SetAsync("k", Answer, options, Cancel);
        await Cache.SetAsync("k", [9], options, Cancel);

        Assert.Equal([9], await Cache.GetAsync("k", Cancel));
        await Cache.RemoveAsync("k", Cancel);
        Assert.Null(await Cache.GetAsync("k", Cancel));
    }

    [Fact]
    public async Task TheCleanupDeletesExpiredEntriesNobodyReadsAndKeepsTheOthers()
    {
        await Cache.SetAsync("old", Answer, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) }, Cancel);
        await Cache.SetAsync("new", Answer, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) }, Cancel);
        Time.Advance(TimeSpan.FromMinutes(6));

        await Backend.CleanUpCacheAsync(Process(), Cancel);

        Assert.Equal(1, await CountRowsAsync("distributed_cache"));
        Assert.NotNull(await Cache.GetAsync("new", Cancel));
    }

    [Fact]
    public async Task AnExpirationInThePastIsRefused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Cache.SetAsync("k", Answer,
            new DistributedCacheEntryOptions { AbsoluteExpiration = Time.GetUtcNow().AddSeconds(-1) }, Cancel));
    }

    [Fact]
    public async Task AnotherProcessOnTheStoreReadsWhatOneWrote()
    {
        await Cache.SetAsync("k", Answer, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) }, Cancel);

        Assert.Equal(Answer, await Process().GetRequiredService<IDistributedCache>().GetAsync("k", Cancel));
    }
}
