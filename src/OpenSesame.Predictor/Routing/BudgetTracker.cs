using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenSesame.Predictor.Routing;

/// <summary>What has been spent in the current UTC day and month, and how much of it was already in the ledger when
/// this process started (levels crossed before a restart were alerted by the process that crossed them).</summary>
internal readonly record struct BudgetSpend(DateTimeOffset At, decimal TodayUsd, decimal MonthUsd, decimal TodayAtStartUsd,
    decimal MonthAtStartUsd);

/// <summary>
/// The running spend of the current UTC day and month, in memory, so a routing decision never waits for the database.
/// Loaded from the ledger once (at start by <see cref="BudgetTrackerLoader"/>, or by the first recording), then kept
/// up by <see cref="Add"/>; a new day or month starts from zero. It counts what this process recorded on top of what the
/// ledger held at start.
/// <para>With an <see cref="ISharedSpend"/> (Redis), instances share the running spend: each recording adds its cost
/// there atomically (<see cref="AddAsync"/>) and the router's caller reads the shared totals before each decision
/// (<see cref="RefreshAsync"/>), so one instance's spend counts in the next decision of every other. The shared
/// total starts from the ledger of the first instance to load. When the store does not answer, the tracker keeps
/// counting this process's spend on top of the last shared totals it saw, logs a warning (once a minute at most) and
/// takes the larger of the two once the store answers again: the budget may be overspent by what other instances spend
/// meanwhile, never forgotten.</para>
/// </summary>
internal sealed partial class BudgetTracker(ICostLedger ledger, TimeProvider time, ISharedSpend? shared = null,
    ILogger<BudgetTracker>? logger = null) : IDisposable
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = logger ?? NullLogger<BudgetTracker>.Instance;
    private readonly Lock _gate = new();
    private DateTimeOffset _nextWarning = DateTimeOffset.MinValue;
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
        if (await SharedAsync(now, 0, new(SpendTotals.ToNano(today), SpendTotals.ToNano(month)), cancellationToken) is { } totals)
        {
            today = Math.Max(today, SpendTotals.ToUsd(totals.TodayNanoUsd));
            month = Math.Max(month, SpendTotals.ToUsd(totals.MonthNanoUsd));
        }

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

    /// <summary>Counts a recorded cost here and, with a shared store, there too, taking the shared totals back: what
    /// <see cref="Add"/> does, for every instance. Call after the ledger has it, and after
    /// <see cref="EnsureLoadedAsync"/> ran.</summary>
    public async Task AddAsync(DateTimeOffset at, decimal costUsd, CancellationToken cancellationToken)
    {
        var before = Snapshot();
        Add(at, costUsd);
        if (shared is null || !_loaded || CostPeriods.DayKey(at) != CostPeriods.DayKey(before.At))
        {
            return;
        }

        if (await SharedAsync(before.At, SpendTotals.ToNano(costUsd),
                new(SpendTotals.ToNano(before.TodayUsd), SpendTotals.ToNano(before.MonthUsd)), cancellationToken) is { } totals)
        {
            Raise(before.At, totals);
        }
    }

    /// <summary>Takes the shared totals (other instances' spend) into memory before a decision; nothing without a shared
    /// store. Never throws for the store: without its answer the decision reads what this process knows.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (shared is null || !_loaded)
        {
            return;
        }

        var known = Snapshot();
        if (await SharedAsync(known.At, 0, new(SpendTotals.ToNano(known.TodayUsd), SpendTotals.ToNano(known.MonthUsd)),
                cancellationToken) is { } totals)
        {
            Raise(known.At, totals);
        }
    }

    /// <summary>The shared store's answer, or null (and a warning at most once a minute) when it gives none.</summary>
    private async Task<SpendTotals?> SharedAsync(DateTimeOffset now, long nanoUsd, SpendTotals ifMissing, CancellationToken cancellationToken)
    {
        if (shared is null)
        {
            return null;
        }

        try
        {
            return await shared.AddAsync(SpendPeriods.At(now), nanoUsd, ifMissing, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (now < _nextWarning)
                {
                    return null;
                }

                _nextWarning = now + WarningInterval;
            }

            LogSharedSpendFailed(_logger, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    /// <summary>Spend only grows within a period, so the larger of memory and the store is the truer one (answers can
    /// arrive out of order; memory holds what this process spent while the store was away).</summary>
    private void Raise(DateTimeOffset at, SpendTotals totals)
    {
        lock (_gate)
        {
            RollOver(time.GetUtcNow());
            if (CostPeriods.DayKey(at) == _day)
            {
                _todayUsd = Math.Max(_todayUsd, SpendTotals.ToUsd(totals.TodayNanoUsd));
            }

            if (CostPeriods.MonthKey(at) == _month)
            {
                _monthUsd = Math.Max(_monthUsd, SpendTotals.ToUsd(totals.MonthNanoUsd));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shared budget store does not answer ({ErrorType}: {Error}): "
        + "this instance counts its own spend on top of the last shared total it saw; other instances' new spend is not seen until it answers.")]
    private static partial void LogSharedSpendFailed(ILogger logger, string errorType, string error);

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
