using Microsoft.Extensions.Time.Testing;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Tests.Security;

public sealed class InMemoryRateLimitStoreTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryRateLimitStore _store;

    public InMemoryRateLimitStoreTests() => _store = new InMemoryRateLimitStore(_time);

    private RateLimitDecision Acquire(string partition, int limit = 3) =>
        _store.AcquireAsync(partition, limit, Minute, CancellationToken.None).AsTask().Result;

    [Fact]
    public void AllowsTheLimitThenRefusesUntilTheWindowThatStartedWithTheFirstRequestEnds()
    {
        var allowed = Enumerable.Range(0, 3).Select(_ => Acquire("a")).ToList();
        _time.Advance(TimeSpan.FromSeconds(20));
        var refused = Acquire("a");
        _time.Advance(TimeSpan.FromSeconds(40));
        var renewed = Acquire("a");

        Assert.All(allowed, d => Assert.True(d.Allowed));
        Assert.Equal([2, 1, 0], allowed.Select(d => d.Remaining));
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(40), refused.ResetAfter);
        Assert.True(renewed.Allowed);
        Assert.Equal(Minute, renewed.ResetAfter);
    }

    [Fact]
    public void CountsEachPartitionOnItsOwn()
    {
        for (var i = 0; i < 3; i++)
        {
            Acquire("a");
        }

        Assert.False(Acquire("a").Allowed);
        Assert.True(Acquire("b").Allowed);
    }

    [Fact]
    public void ForgetsCallersWhoseWindowEnded()
    {
        for (var i = 0; i < 100; i++)
        {
            Acquire($"caller-{i}");
        }

        _time.Advance(Minute + Minute);
        Acquire("late");

        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public async Task CountsEveryConcurrentRequestOnce()
    {
        var decisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => Acquire("a", limit: 50))));

        Assert.Equal(50, decisions.Count(d => d.Allowed));
    }
}
