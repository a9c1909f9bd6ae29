
using OpenSesame.Predictor.Caching;

namespace OpenSesame.Predictor.Tests.Candidates;

public sealed class LruCacheTests
{
    [Fact]
    public void EvictsTheLeastRecentlyUsedEntryBeyondCapacity()
    {
        var cache = new LruCache<string, int>(2);
        cache.Set("a", 1);
        cache.Set("b", 2);
        Assert.True(cache.TryGet("a", out _));

        cache.Set("c", 3);

        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("a", out var a));
        Assert.True(cache.TryGet("c", out var c));
        Assert.Equal((1, 3), (a, c));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void ReplacingAValueKeepsOneEntryAndMakesItRecent()
    {
        var cache = new LruCache<string, int>(2);
        cache.Set("a", 1);
        cache.Set("b", 2);

        cache.Set("a", 10);
        cache.Set("c", 3);

        Assert.True(cache.TryGet("a", out var a));
        Assert.Equal(10, a);
        Assert.False(cache.TryGet("b", out _));
    }

    [Fact]
    public void StaysWithinCapacityUnderConcurrentUse()
    {
        var cache = new LruCache<int, int>(100);

        Parallel.For(0, 10_000, i =>
        {
            cache.Set(i, i);
            cache.TryGet(i - 1, out _);
        });

        Assert.Equal(100, cache.Count);
    }

    [Fact]
    public void RefusesACapacityBelowOne() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LruCache<string, int>(0));
}
