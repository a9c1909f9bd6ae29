using System.Text.Json;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Routing;

/// <summary>The cost report on a known ledger, every number worked out by hand in the comments.</summary>
public sealed class CostAnalyticsTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TheReportsNumbersMatchAHandComputedLedger()
    {
        using var harness = new RoutingHarness();
        var cancel = TestContext.Current.CancellationToken;
        CostEntry[] entries =
        [
            new(At(20, 10), "p1", "alice", "s1", "claude-3-haiku", 300, 100, 0.0004m, false),
            new(At(20, 11), "p2", "bob", "s2", "claude-3-sonnet", 1000, 200, 0.006m, false),
            // p2 again: Anthropic failed after billing, OpenAI answered.
            new(At(20, 11).AddSeconds(1), "p2", "bob", "s2", "gpt-35-turbo", 500, 100, 0.001m, false),
            new(At(19, 9), "p3", "alice", "s1", "local", 0, 0, 0m, false),
            new(At(15, 8), "p4", "carol", "s3", "claude-3-haiku", 300, 100, 0.0002m, false),
            new(At(10, 8), "p5", "alice", "s4", "claude-3-haiku", 0, 0, 0m, true),
            new(At(8, 8), "p6", "bob", "s5", "claude-3-sonnet", 1000, 400, 0.01m, false),
            new(new DateTimeOffset(2026, 2, 25, 8, 0, 0, TimeSpan.Zero), "p7", "carol", "s6", "claude-3-haiku", 300, 100, 0.002m, false),
        ];
        foreach (var entry in entries)
        {
            await harness.Ledger.RecordAsync(entry, cancel);
        }

        var report = await CostAnalytics.ComputeAsync(harness.Ledger, Now, top: 3, cancel);

        // Today: p1 + p2 = 0.0004 + 0.006 + 0.001. March: today + p4 + p6 = 0.0176.
        Assert.Equal(0.0074m, report.TodayUsd);
        Assert.Equal(0.0176m, report.MonthUsd);
        // 19.5 of March's 31 days are gone: 0.0176 × 31 / 19.5 = 0.027979487…
        Assert.Equal(0.027979487m, report.ProjectedMonthUsd);
        // Six March predictions costing 0.0004, 0.007, 0, 0.0002, 0, 0.01: mean 0.0176 / 6; nearest rank ⌈5.7⌉ = 6th.
        Assert.Equal(6, report.Predictions);
        Assert.Equal(1, report.CacheHits);
        Assert.Equal(0.002933333m, report.CostPerPredictionMeanUsd);
        Assert.Equal(0.01m, report.CostPerPredictionP95Usd);
        Assert.Equal(
            [("claude-3-sonnet", 0.016m, 2), ("gpt-35-turbo", 0.001m, 1), ("claude-3-haiku", 0.0006m, 3), ("local", 0m, 1)],
            report.Models.Select(m => (m.Key!, m.CostUsd, m.Predictions)));
        Assert.Equal([("bob", 0.017m, 2, 3), ("alice", 0.0004m, 3, 3), ("carol", 0.0002m, 1, 1)],
            report.TopUsers.Select(u => (u.Key!, u.CostUsd, u.Predictions, u.Entries)));
        Assert.Equal(["s5", "s2", "s1"], report.TopSessions.Select(s => s.Key!));
        // 19 February to 20 March.
        Assert.Equal(30, report.Daily.Count);
        Assert.Equal(("2026-02-19", "2026-03-20"), (report.Daily[0].Day, report.Daily[^1].Day));
        Assert.Equal(new DailySpend("2026-03-20", 0.0074m, 2), report.Daily[^1]);
        Assert.Equal(new DailySpend("2026-03-19", 0m, 1), report.Daily[^2]);
        Assert.Equal(new DailySpend("2026-02-25", 0.002m, 1), report.Daily[6]);
        Assert.Equal(0.0196m, report.Daily.Sum(d => d.CostUsd));
        // This week (13 March 12:00 on): p1, p2, p3, p4 = 0.0076; the week before: p5, p6 = 0.01; −24 %.
        Assert.Equal(new WeeklyTrend(0.0076m, 0.01m, -24.0), report.Weekly);
    }

    [Fact]
    public async Task AnEmptyLedgerReportsZeroesAndNoTrend()
    {
        using var harness = new RoutingHarness();

        var report = await CostAnalytics.ComputeAsync(harness.Ledger, Now, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((0m, 0m, 0m, 0m, 0), (report.MonthUsd, report.ProjectedMonthUsd, report.CostPerPredictionMeanUsd,
            report.CostPerPredictionP95Usd, report.Predictions));
        Assert.All(report.Daily, d => Assert.Equal(0m, d.CostUsd));
        Assert.Null(report.Weekly.ChangePercent);
    }

    [Fact]
    public async Task TheReportSerializesAsSnakeCase()
    {
        using var harness = new RoutingHarness();
        await harness.Ledger.RecordAsync(new CostEntry(At(20, 10), "p1", "alice", "s1", "claude-3-haiku", 300, 100, 0.0004m, false),
            TestContext.Current.CancellationToken);

        var report = await CostAnalytics.ComputeAsync(harness.Ledger, Now, cancellationToken: TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, ContractJson.Options));

        var root = json.RootElement;
        Assert.Equal(0.0004m, root.GetProperty("month_usd").GetDecimal());
        Assert.Equal(0.0004m, root.GetProperty("cost_per_prediction_p95_usd").GetDecimal());
        Assert.Equal("alice", root.GetProperty("top_users")[0].GetProperty("key").GetString());
        Assert.Equal(1, root.GetProperty("models")[0].GetProperty("predictions").GetInt32());
        Assert.Equal(30, root.GetProperty("daily").GetArrayLength());
        Assert.True(root.GetProperty("weekly").TryGetProperty("this_week_usd", out _));
    }

    private static DateTimeOffset At(int day, int hour) => new(2026, 3, day, hour, 0, 0, TimeSpan.Zero);
}
