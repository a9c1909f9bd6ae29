using Microsoft.Extensions.Logging;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Routing;

/// <summary>The running budget of two instances on one Redis (<c>Redis:Configuration</c>), each with its own ledger:
/// what one spends counts in the other's next decision, the additions are exact, and a Redis that goes away makes the
/// budget count locally, never forget.</summary>
public sealed class SharedBudgetTests : IAsyncDisposable
{
    private readonly List<RoutingHarness> _harnesses = [];
    private RedisServer? _redis;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        try
        {
            _harnesses.ForEach(h => h.Dispose());
        }
        finally
        {
            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }
        }
    }

    private async Task<RoutingHarness> InstanceAsync()
    {
        _redis ??= await RedisServer.StartAsync();
        var harness = new RoutingHarness(new Dictionary<string, string?>(RoutingHarness.OneDollarBudget)
        {
            ["Redis:Configuration"] = _redis.Configuration,
        });
        _harnesses.Add(harness);
        return harness;
    }

    [Fact]
    public async Task SpendRecordedOnOneInstanceCountsInTheOtherInstancesNextDecision()
    {
        var a = await InstanceAsync();
        var b = await InstanceAsync();
        await a.Budget.EnsureLoadedAsync(Cancel);
        await b.Budget.EnsureLoadedAsync(Cancel);
        var before = b.Decide();

        await a.SpendAsync(0.8m);
        await b.Budget.RefreshAsync(Cancel);
        var after = b.Decide();

        Assert.Equal((RouteReasons.CheapestMeetingQualityFloor, 0.0), (before.Reason, before.BudgetUsedPercent));
        Assert.Equal((RouteReasons.BudgetDegraded, 80.0), (after.Reason, after.BudgetUsedPercent));
        Assert.Equal(0m, await b.Ledger.SpendTodayAsync(b.Time.GetUtcNow(), Cancel));
    }

    [Fact]
    public async Task ConcurrentSpendOnBothInstancesAddsUpExactly()
    {
        var a = await InstanceAsync();
        var b = await InstanceAsync();
        await a.Budget.EnsureLoadedAsync(Cancel);
        await b.Budget.EnsureLoadedAsync(Cancel);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).SpendAsync(0.01m)));
        await a.Budget.RefreshAsync(Cancel);
        await b.Budget.RefreshAsync(Cancel);

        Assert.Equal((0.4m, 0.4m), (a.Budget.Snapshot().TodayUsd, a.Budget.Snapshot().MonthUsd));
        Assert.Equal((0.4m, 0.4m), (b.Budget.Snapshot().TodayUsd, b.Budget.Snapshot().MonthUsd));
    }

    [Fact]
    public async Task TheFirstInstanceToLoadSeedsTheSharedSpendFromItsLedgerAndLaterOnesKeepIt()
    {
        var a = await InstanceAsync();
        var b = await InstanceAsync();
        await a.Ledger.RecordAsync(new CostEntry(a.Time.GetUtcNow(), "p-0", null, null, "claude-3-haiku", 0, 0, 0.3m, false), Cancel);

        await a.Budget.EnsureLoadedAsync(Cancel);
        await b.Budget.EnsureLoadedAsync(Cancel);

        Assert.Equal(0.3m, b.Budget.Snapshot().MonthUsd);
        Assert.Equal(0.3m, b.Budget.Snapshot().MonthAtStartUsd);
    }

    [Fact]
    public async Task WhileRedisIsAwayAnInstanceCountsItsOwnSpendWarnsOnceAndHandsItOnWhenRedisIsBack()
    {
        var a = await InstanceAsync();
        var b = await InstanceAsync();
        await a.Budget.EnsureLoadedAsync(Cancel);
        await b.Budget.EnsureLoadedAsync(Cancel);
        await a.SpendAsync(0.25m);
        await b.Budget.RefreshAsync(Cancel);

        _redis!.Stop();
        await a.SpendAsync(0.25m);
        await a.SpendAsync(0.25m);
        await b.Budget.RefreshAsync(Cancel);
        var duringOutage = (A: a.Budget.Snapshot().MonthUsd, B: b.Budget.Snapshot().MonthUsd);
        var warnings = a.BudgetLog.At(LogLevel.Warning).ToList();

        // Redis comes back empty: the first instance to reach it seeds it from what it knows.
        await _redis.StartAgainAsync();
        for (var wait = 0; wait < 100 && b.Budget.Snapshot().MonthUsd != 0.75m; wait++)
        {
            await Task.Delay(100, Cancel);
            await a.Budget.RefreshAsync(Cancel);
            await b.Budget.RefreshAsync(Cancel);
        }

        Assert.Equal((0.75m, 0.25m), duringOutage);
        Assert.Contains("shared budget store does not answer", Assert.Single(warnings), StringComparison.Ordinal);
        Assert.Equal(0.75m, b.Budget.Snapshot().MonthUsd);
    }

    [Fact]
    public async Task WithoutRedisConfiguredEachInstanceSeesOnlyItsOwnNewSpend()
    {
        using var a = new RoutingHarness(RoutingHarness.OneDollarBudget);
        using var b = new RoutingHarness(RoutingHarness.OneDollarBudget);
        await a.Budget.EnsureLoadedAsync(Cancel);
        await b.Budget.EnsureLoadedAsync(Cancel);

        await a.SpendAsync(0.8m);
        await b.Budget.RefreshAsync(Cancel);

        Assert.Equal(0.8m, a.Budget.Snapshot().MonthUsd);
        Assert.Equal(0m, b.Budget.Snapshot().MonthUsd);
    }
}
