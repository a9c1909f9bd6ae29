using Microsoft.Extensions.Hosting;

namespace OpenSesame.Predictor.Routing;

/// <summary>What has been spent in the current UTC day and month, and how much of it was already in the ledger when
/// this process started (levels crossed before a restart were alerted by the process that crossed them).</summary>
internal readonly record struct BudgetSpend(DateTimeOffset At, decimal TodayUsd, decimal MonthUsd, decimal TodayAtStartUsd,
    decimal MonthAtStartUsd);

/// <summary>
/// The running spend of the current UTC day and month, in memory, so a routing decision never waits for the database.
/// Loaded from the ledger once (at start by <see cref="BudgetTrackerLoader"/>, or by the first recording), then kept
/// up by <see cref="Add"/>; a new day or month starts from zero. It counts what this process recorded on top of what the
/// ledger held at start: several processes sharing one budget each see their own spend plus the others' up to their
/// start, so a shared ledger with several writers needs a periodic <see cref="LoadAsync"/>.
/// </summary>
internal sealed class BudgetTracker(ICostLedger ledger, TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _firstLoad = new(1, 1);
    private volatile bool _loaded;
    private string _day = "";
    private string _month = "";
    private decimal _todayUsd;
    private decimal _monthUsd;
    private decimal _todayAtStartUsd;
    private decimal _monthAtStartUsd;

    public bool Loaded => _loaded;

    /// <summary>Reads the current day's and month's spend from the ledger, replacing what is in memory.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = await ledger.SpendTodayAsync(now, cancellationToken);
        var month = await ledger.SpendThisMonthAsync(now, cancellationToken);
        lock (_gate)
        {
            _day = CostPeriods.DayKey(now);
            _month = CostPeriods.MonthKey(now);
            _todayUsd = _todayAtStartUsd = today;
            _monthUsd = _monthAtStartUsd = month;
            _loaded = true;
        }
    }

    /// <summary>Loads once if nothing has yet (the loader at start, or a recording in a host that runs no hosted
    /// services: tests). One caller at a time: a second load finishing after a recording's <see cref="Add"/> would
    /// replace the running spend with a ledger read that already holds that entry, and count it twice.</summary>
    public async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        await _firstLoad.WaitAsync(cancellationToken);
        try
        {
            if (!_loaded)
            {
                await LoadAsync(cancellationToken);
            }
        }
        finally
        {
            _firstLoad.Release();
        }
    }

    public void Dispose() => _firstLoad.Dispose();

    /// <summary>Counts a recorded cost. Call after the ledger has it, and after <see cref="EnsureLoadedAsync"/> ran,
    /// so the load cannot count it a second time.</summary>
    public void Add(DateTimeOffset at, decimal costUsd)
    {
        lock (_gate)
        {
            // Not loaded yet: the entry is in the ledger already, and the load will count it.
            if (!_loaded)
            {
                return;
            }

            RollOver(time.GetUtcNow());
            if (CostPeriods.DayKey(at) == _day)
            {
                _todayUsd += costUsd;
            }

            if (CostPeriods.MonthKey(at) == _month)
            {
                _monthUsd += costUsd;
            }
        }
    }

    /// <summary>The spend now, from memory: a routing decision never waits for the database. It reads zero before
    /// the first load, which only a host that runs no hosted services (a test) can see.</summary>
    public BudgetSpend Snapshot()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            RollOver(now);
            return new BudgetSpend(now, _todayUsd, _monthUsd, _todayAtStartUsd, _monthAtStartUsd);
        }
    }

    // Midnight UTC empties the day, the first of the month the month; the spend at start belonged to the old period.
    private void RollOver(DateTimeOffset now)
    {
        var day = CostPeriods.DayKey(now);
        if (day != _day)
        {
            _day = day;
            _todayUsd = _todayAtStartUsd = 0;
        }

        var month = CostPeriods.MonthKey(now);
        if (month != _month)
        {
            _month = month;
            _monthUsd = _monthAtStartUsd = 0;
        }
    }
}

/// <summary>Loads the running spend when the host starts, so the router reads it from memory from the first request
/// on.</summary>
internal sealed class BudgetTrackerLoader(BudgetTracker tracker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => tracker.EnsureLoadedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
