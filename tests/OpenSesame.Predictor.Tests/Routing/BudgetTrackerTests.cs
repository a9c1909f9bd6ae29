using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Routing;

/// <summary>The running spend's first load from the ledger, awaited by whoever needs it, never blocked on.</summary>
public sealed class BudgetTrackerTests
{
    private static readonly DateTimeOffset Now = RoutingHarness.MarchFirst.AddDays(3);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CallersArrivingDuringTheFirstLoadWaitForItAndTheLedgerIsReadOnce()
    {
        var ledger = new GatedLedger(0.5m);
        using var tracker = new BudgetTracker(ledger, new FakeTimeProvider(Now));

        var loader = tracker.EnsureLoadedAsync(Cancel);
        var recording = tracker.EnsureLoadedAsync(Cancel);
        Assert.False(recording.IsCompleted);
        ledger.Open();
        await Task.WhenAll(loader, recording);
        tracker.Add(Now, 0.25m);

        // The day's and the month's spend, read once; the entry added after the load counts once.
        Assert.Equal(2, ledger.Reads);
        Assert.Equal((0.75m, 0.75m), (tracker.Snapshot().TodayUsd, tracker.Snapshot().MonthUsd));
    }

    [Fact]
    public async Task AFailedFirstLoadIsTriedAgainByTheNextCaller()
    {
        var ledger = new GatedLedger(0.5m) { Failures = 1 };
        using var tracker = new BudgetTracker(ledger, new FakeTimeProvider(Now));
        ledger.Open();

        await Assert.ThrowsAsync<IOException>(() => tracker.EnsureLoadedAsync(Cancel));
        await tracker.EnsureLoadedAsync(Cancel);

        Assert.True(tracker.Loaded);
        Assert.Equal(0.5m, tracker.Snapshot().MonthUsd);
    }

    [Fact]
    public void ASnapshotNeverWaitsForTheLedger()
    {
        var ledger = new GatedLedger(0.5m);
        using var tracker = new BudgetTracker(ledger, new FakeTimeProvider(Now));

        var spend = tracker.Snapshot();

        Assert.Equal((0m, 0m, 0), (spend.TodayUsd, spend.MonthUsd, ledger.Reads));
    }

    /// <summary>A ledger whose spend queries wait until <see cref="Open"/>, and fail <see cref="Failures"/> times.</summary>
    private sealed class GatedLedger(decimal spentUsd) : ICostLedger
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public int Failures { get; set; }

        public void Open() => _open.TrySetResult();

        public async Task<decimal> SpendAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            await _open.Task.WaitAsync(cancellationToken);
            return Failures-- > 0 ? throw new IOException("database is locked") : spentUsd;
        }

        public Task RecordAsync(CostEntry entry, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SpendGroup>> SpendByAsync(CostGrouping grouping, DateTimeOffset since, DateTimeOffset until,
            int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<decimal>> PredictionCostsAsync(DateTimeOffset since, DateTimeOffset until,
            CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
