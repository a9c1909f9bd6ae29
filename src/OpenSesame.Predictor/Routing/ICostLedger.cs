namespace OpenSesame.Predictor.Routing;

/// <summary>
/// One line of the cost ledger: a model call (or a cache hit, or a prediction served locally) and what it cost.
/// Every prediction is recorded, local ones with the local model and zero cost, so the cost per prediction and the
/// share served without a call read straight from the ledger.
/// </summary>
/// <param name="Model">The catalog name of the model that served (the <c>Routing:Models</c> key, "local" for none).</param>
/// <param name="CacheHit">Answered from the cache: no call was made, the cost is zero.</param>
public sealed record CostEntry(
    DateTimeOffset At,
    string PredictionId,
    string? UserId,
    string? SessionId,
    string Model,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    bool CacheHit);

/// <summary>Spend of one user, session, model or day.</summary>
/// <param name="Key">The user, session, model name or UTC day (yyyy-MM-dd); null for entries without a user or
/// session.</param>
/// <param name="Predictions">Distinct predictions (a prediction that fell back to a second provider has two entries).</param>
/// <param name="Entries">Ledger lines.</param>
public sealed record SpendGroup(string? Key, decimal CostUsd, int Predictions, int Entries, long InputTokens,
    long OutputTokens, int CacheHits);

/// <summary>What <see cref="ICostLedger.SpendByAsync"/> groups by.</summary>
public enum CostGrouping
{
    User,
    Session,
    Model,
    Day,
}

/// <summary>
/// The persistent record of what predictions cost. Append-only. Time ranges are half-open, <c>[since, until)</c>, in
/// UTC. SQLite implements it now (<c>Storage/SqliteCostLedger</c>); a PostgreSQL ledger implements the same four
/// methods, and everything else (budgets, alerts, analytics) is built on them.
/// </summary>
public interface ICostLedger
{
    Task RecordAsync(CostEntry entry, CancellationToken cancellationToken);

    /// <summary>The total cost of the entries in the range.</summary>
    Task<decimal> SpendAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>The range's entries grouped, most expensive first (then by key), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SpendGroup>> SpendByAsync(CostGrouping grouping, DateTimeOffset since, DateTimeOffset until, int limit,
        CancellationToken cancellationToken);

    /// <summary>The cost of each prediction in the range (its entries summed), in no particular order.</summary>
    Task<IReadOnlyList<decimal>> PredictionCostsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);
}

/// <summary>The calendar periods budgets and reports use: UTC days and months.</summary>
public static class CostPeriods
{
    public static DateTimeOffset DayStart(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }

    public static DateTimeOffset MonthStart(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    public static DateTimeOffset MonthEnd(DateTimeOffset now) => MonthStart(now).AddMonths(1);

    /// <summary>"2026-03-14".</summary>
    public static string DayKey(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"2026-03".</summary>
    public static string MonthKey(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The ledger's questions by name, on top of its four methods.</summary>
public static class CostLedgerQueries
{
    /// <summary>Spend of the current UTC day.</summary>
    public static Task<decimal> SpendTodayAsync(this ICostLedger ledger, DateTimeOffset now, CancellationToken cancellationToken) =>
        ledger.SpendAsync(CostPeriods.DayStart(now), CostPeriods.DayStart(now).AddDays(1), cancellationToken);

    /// <summary>Spend of the current UTC month.</summary>
    public static Task<decimal> SpendThisMonthAsync(this ICostLedger ledger, DateTimeOffset now, CancellationToken cancellationToken) =>
        ledger.SpendAsync(CostPeriods.MonthStart(now), CostPeriods.MonthEnd(now), cancellationToken);

    /// <summary>Spend of the hour up to and including <paramref name="now"/>.</summary>
    public static Task<decimal> LastHourSpendAsync(this ICostLedger ledger, DateTimeOffset now, CancellationToken cancellationToken) =>
        ledger.SpendAsync(now.AddHours(-1), UpToAndIncluding(now), cancellationToken);

    /// <summary>The mean hourly spend over the <paramref name="days"/> before the last hour (the last hour is left
    /// out, so a spike does not raise its own baseline).</summary>
    public static async Task<decimal> TrailingHourlyAverageAsync(this ICostLedger ledger, DateTimeOffset now, int days,
        CancellationToken cancellationToken)
    {
        var end = now.AddHours(-1);
        var spend = await ledger.SpendAsync(end.AddDays(-days), end, cancellationToken);
        return spend / (days * 24);
    }

    /// <summary>The end of a range that takes in entries recorded at <paramref name="now"/> (ranges are half-open and
    /// the ledger keeps milliseconds).</summary>
    public static DateTimeOffset UpToAndIncluding(DateTimeOffset now) => now.AddMilliseconds(1);
}
