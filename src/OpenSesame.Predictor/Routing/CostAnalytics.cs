namespace OpenSesame.Predictor.Routing;

/// <summary>
/// Where the money goes, as <c>GET /cost-analytics</c> and <c>opensesame costs</c> show it (snake_case JSON with
/// <see cref="Prediction.ContractJson.Options"/>). Amounts are US dollars; derived amounts are rounded to the
/// nano-dollar. "This month", the cost per prediction, the per-model split and the top users and sessions are of the
/// current UTC month.
/// </summary>
/// <param name="ProjectedMonthUsd">The month's spend so far divided by the share of the month elapsed.</param>
/// <param name="Predictions">Predictions this month (every prediction has a ledger entry, local ones at zero).</param>
/// <param name="CacheHits">Ledger entries answered from the cache this month.</param>
/// <param name="CostPerPredictionP95Usd">The 95th percentile by nearest rank: the smallest cost that at least 95 % of
/// the month's predictions do not exceed.</param>
/// <param name="Daily">The last 30 UTC days, oldest first, today last; days without spend are zero.</param>
public sealed record CostReport(
    DateTimeOffset GeneratedAt,
    decimal TodayUsd,
    decimal MonthUsd,
    decimal ProjectedMonthUsd,
    int Predictions,
    int CacheHits,
    decimal CostPerPredictionMeanUsd,
    decimal CostPerPredictionP95Usd,
    IReadOnlyList<SpendGroup> Models,
    IReadOnlyList<SpendGroup> TopUsers,
    IReadOnlyList<SpendGroup> TopSessions,
    IReadOnlyList<DailySpend> Daily,
    WeeklyTrend Weekly);

/// <param name="Day">yyyy-MM-dd, UTC.</param>
public sealed record DailySpend(string Day, decimal CostUsd, int Predictions);

/// <summary>The last seven days (up to now) against the seven before them: rolling weeks, so both are whole.</summary>
/// <param name="ChangePercent">(this − last) / last in percent; null when last week spent nothing.</param>
public sealed record WeeklyTrend(decimal ThisWeekUsd, decimal LastWeekUsd, double? ChangePercent);

/// <summary>Computes the <see cref="CostReport"/> from any <see cref="ICostLedger"/>.</summary>
public static class CostAnalytics
{
    public const int DailyDays = 30;

    /// <summary>Users and sessions a report lists unless asked for another number.</summary>
    public const int DefaultTop = 10;

    /// <summary>The most users and sessions a caller may ask for: a report, not an export of the ledger.</summary>
    public const int MaxTop = 100;

    public static async Task<CostReport> ComputeAsync(ICostLedger ledger, DateTimeOffset now, int top = DefaultTop,
        CancellationToken cancellationToken = default)
    {
        var end = CostLedgerQueries.UpToAndIncluding(now);
        var dayStart = CostPeriods.DayStart(now);
        var monthStart = CostPeriods.MonthStart(now);
        var monthEnd = CostPeriods.MonthEnd(now);

        var today = await ledger.SpendAsync(dayStart, end, cancellationToken);
        var month = await ledger.SpendAsync(monthStart, end, cancellationToken);
        var elapsed = (now - monthStart) / (monthEnd - monthStart);
        var projected = elapsed > 0 ? Round(month / (decimal)elapsed) : month;

        var costs = (await ledger.PredictionCostsAsync(monthStart, end, cancellationToken)).Order().ToList();
        var mean = costs.Count == 0 ? 0m : Round(costs.Sum() / costs.Count);
        var p95 = costs.Count == 0 ? 0m : costs[(int)Math.Ceiling(0.95 * costs.Count) - 1];

        var models = await ledger.SpendByAsync(CostGrouping.Model, monthStart, end, int.MaxValue, cancellationToken);
        var users = await ledger.SpendByAsync(CostGrouping.User, monthStart, end, top, cancellationToken);
        var sessions = await ledger.SpendByAsync(CostGrouping.Session, monthStart, end, top, cancellationToken);

        var firstDay = dayStart.AddDays(-(DailyDays - 1));
        var days = (await ledger.SpendByAsync(CostGrouping.Day, firstDay, end, DailyDays + 1, cancellationToken))
            .ToDictionary(d => d.Key!, StringComparer.Ordinal);
        var daily = Enumerable.Range(0, DailyDays)
            .Select(i => CostPeriods.DayKey(firstDay.AddDays(i)))
            .Select(key => days.TryGetValue(key, out var d) ? new DailySpend(key, d.CostUsd, d.Predictions) : new DailySpend(key, 0m, 0))
            .ToList();

        var thisWeek = await ledger.SpendAsync(now.AddDays(-7), end, cancellationToken);
        var lastWeek = await ledger.SpendAsync(now.AddDays(-14), now.AddDays(-7), cancellationToken);
        double? change = lastWeek == 0 ? null : Math.Round((double)((thisWeek - lastWeek) / lastWeek) * 100, 1);

        return new CostReport(now, today, month, projected, costs.Count, models.Sum(m => m.CacheHits), mean, p95,
            models, users, sessions, daily, new WeeklyTrend(thisWeek, lastWeek, change));
    }

    private static decimal Round(decimal usd) => decimal.Round(usd, 9, MidpointRounding.AwayFromZero);
}
