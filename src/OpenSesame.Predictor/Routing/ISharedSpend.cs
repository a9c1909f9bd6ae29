namespace OpenSesame.Predictor.Routing;

/// <summary>
/// The running spend of the current UTC day and month where every instance of the service sees it (Redis), counted in
/// whole nano-USD so that additions are exact and atomic. Without one, each process counts its own spend
/// (<see cref="BudgetTracker"/>) on top of what the ledger held at its start.
/// </summary>
/// <remarks>A store that cannot answer throws; the budget then goes on counting in the process and says so.</remarks>
public interface ISharedSpend
{
    /// <summary>In one atomic step: sets each period's total to <paramref name="ifMissing"/> unless it exists (the first
    /// instance of the period, or a store that lost it), adds <paramref name="nanoUsd"/> (0 reads) to both, and returns
    /// both totals after the addition.</summary>
    Task<SpendTotals> AddAsync(SpendPeriods periods, long nanoUsd, SpendTotals ifMissing, CancellationToken cancellationToken);
}

/// <summary>The periods a spend counts in.</summary>
/// <param name="Day">The UTC day, "2026-03-14" (<see cref="CostPeriods.DayKey"/>).</param>
/// <param name="Month">The UTC month, "2026-03".</param>
/// <param name="DayKeptFor">How long the day's total must be kept from now: to the day's end and a day beyond, so that
/// the store forgets old periods on its own.</param>
/// <param name="MonthKeptFor">Likewise for the month.</param>
public readonly record struct SpendPeriods(string Day, string Month, TimeSpan DayKeptFor, TimeSpan MonthKeptFor)
{
    private static readonly TimeSpan Margin = TimeSpan.FromDays(1);

    public static SpendPeriods At(DateTimeOffset now) => new(CostPeriods.DayKey(now), CostPeriods.MonthKey(now),
        CostPeriods.DayStart(now).AddDays(1) - now + Margin, CostPeriods.MonthEnd(now) - now + Margin);
}

/// <param name="TodayNanoUsd">The day's spend, in nano-USD.</param>
/// <param name="MonthNanoUsd">The month's spend, in nano-USD.</param>
public readonly record struct SpendTotals(long TodayNanoUsd, long MonthNanoUsd)
{
    public const decimal NanoPerUsd = 1_000_000_000m;

    public static long ToNano(decimal usd) => (long)Math.Round(usd * NanoPerUsd, MidpointRounding.AwayFromZero);

    public static decimal ToUsd(long nano) => nano / NanoPerUsd;
}
