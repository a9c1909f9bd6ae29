using Microsoft.Extensions.Hosting;

namespace OpenSesame.Predictor.Routing;

/// <summary>What has been spent in the current UTC day and month, and how much of it was already in the ledger when
/// this process started (levels crossed before a restart were alerted by the process that crossed them).</summary>
internal readonly record struct BudgetSpend(DateTimeOffset At, decimal TodayUsd, decimal MonthUsd, decimal TodayAtStartUsd,
    decimal MonthAtStartUsd);

/// <summary>
/// The running spend of the current UTC day and month, in memory, so a routing decision never waits for the database.
/// Loaded from the ledger once (at start by <see cref="BudgetTrackerLoader"/>, or on first use), then kept up by
/// <see cref="Add"/>; a new day or month starts from zero. It counts what this process recorded on top of what the
/// ledger held at start: several processes sharing one budget each see their own spend plus the others' up to their
/// start, so a shared ledger with several writers needs a periodic <see cref="LoadAsync"/>.
/// </summary>
internal sealed class BudgetTracker(ICostLedger ledger, TimeProvider time)
{
    private readonly Lock _gate = new();
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

    /// <summary>Loads once if nothing has yet (a host that does not run hosted services: the CLI, tests). The ledger
    /// is local SQLite, whose async calls complete synchronously, so blocking here costs one query, once.</summary>
    public void EnsureLoaded()
    {
        if (!_loaded)
        {
            LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    /// <summary>Counts a recorded cost. Call after the ledger has it, and after <see cref="EnsureLoaded"/> ran, so
    /// the load cannot count it a second time.</summary>
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

    public BudgetSpend Snapshot()
    {
        EnsureLoaded();
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

/// <summary>Loads the running spend when the host starts, so the first request does not pay for it.</summary>
internal sealed class BudgetTrackerLoader(BudgetTracker tracker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => tracker.LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
