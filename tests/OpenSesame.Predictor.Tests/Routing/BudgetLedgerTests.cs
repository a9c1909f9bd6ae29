using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenSesame.Predictor.Routing;


namespace OpenSesame.Predictor.Tests.Routing;

/// <summary>The persistent ledger, the running budget over a month, and the alerts it raises.</summary>
public sealed class BudgetLedgerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SpendIsAttributedToEachUserAndSessionInTheLedger()
    {
        using var harness = new RoutingHarness();
        var haiku = harness.Decide();
        var sonnet = harness.Decide(complexity: 0.9);

        // Haiku 300 in / 100 out = $0.0002; Sonnet 1,000 in / 200 out = $0.006.
        await harness.RecordAsync(haiku, new RouteUsage { InputTokens = 300, OutputTokens = 100 }, "p-1", "alice", "s-a");
        await harness.RecordAsync(haiku, new RouteUsage { InputTokens = 300, OutputTokens = 100 }, "p-2", "alice", "s-b");
        await harness.RecordAsync(sonnet, new RouteUsage { InputTokens = 1000, OutputTokens = 200 }, "p-3", "bob", "s-c");

        var users = await harness.Ledger.SpendByAsync(CostGrouping.User, RoutingHarness.MarchFirst, RoutingHarness.MarchFirst.AddMonths(1), 10, Cancel);
        var sessions = await harness.Ledger.SpendByAsync(CostGrouping.Session, RoutingHarness.MarchFirst, RoutingHarness.MarchFirst.AddMonths(1), 10, Cancel);

        Assert.Equal([("bob", 0.006m, 1), ("alice", 0.0004m, 2)], users.Select(u => (u.Key, u.CostUsd, u.Predictions)));
        Assert.Equal([(1000L, 200L), (600L, 200L)], users.Select(u => (u.InputTokens, u.OutputTokens)));
        Assert.Equal(["s-c", "s-a", "s-b"], sessions.Select(s => s.Key));
        Assert.Equal(0.0064m, await harness.Ledger.SpendThisMonthAsync(harness.Time.GetUtcNow(), Cancel));
    }

    [Fact]
    public async Task TheMonthlyRolloverResetsTheBudgetState()
    {
        using var harness = new RoutingHarness(RoutingHarness.OneDollarBudget);
        // Through March: a little every day, then the whole budget on the 31st.
        for (var day = 0; day < 30; day++)
        {
            await harness.SpendAsync(0.02m);
            harness.Time.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal("claude-3-haiku", harness.Decide().Model);
        await harness.SpendAsync(0.41m);
        Assert.Equal(RouteReasons.BudgetExhausted, harness.Decide().Reason);
        Assert.Equal(3, harness.BudgetAlertLines().Count);

        harness.Time.Advance(TimeSpan.FromDays(1));
        var april = harness.Decide();
        await harness.SpendAsync(0.75m);

        Assert.Equal(("claude-3-haiku", RouteReasons.CheapestMeetingQualityFloor, 0.0), (april.Model, april.Reason, april.BudgetUsedPercent));
        Assert.Equal(RouteReasons.BudgetDegraded, harness.Decide().Reason);
        var lines = harness.BudgetAlertLines();
        Assert.Equal(4, lines.Count);
        Assert.Contains("period 2026-04", lines[^1], StringComparison.Ordinal);
        Assert.Equal(0.75m, await harness.Ledger.SpendThisMonthAsync(harness.Time.GetUtcNow(), Cancel));
    }

    [Fact]
    public async Task TheAnomalyAlertFiresWhenTheLastHourExceedsThreeTimesTheTrailingHourlyAverage()
    {
        using var harness = new RoutingHarness(new Dictionary<string, string?>
        {
            ["Routing:AnomalyCheckInterval"] = "00:00:00",
            ["Routing:AnomalyMinimumUsd"] = "0.001",
        });
        // A week at $0.024 a day: $0.001 an hour on average, so the alert needs more than $0.003 in the last hour.
        for (var day = 0; day < 7; day++)
        {
            await harness.Ledger.RecordAsync(new CostEntry(RoutingHarness.MarchFirst.AddDays(day).AddHours(12), $"h-{day}", "u", "s",
                "claude-3-haiku", 96000, 0, 0.024m, false), Cancel);
        }

        var raised = new List<int>();
        foreach (var minutes in new[] { 0, 10, 20, 30 })
        {
            harness.Time.SetUtcNow(RoutingHarness.MarchFirst.AddDays(7).AddHours(12).AddMinutes(minutes));
            await harness.SpendAsync(0.0015m);
            raised.Add(harness.AlertLog.Entries.Count(e => e.Message.Contains("(anomaly, hourly", StringComparison.Ordinal)));
        }

        // $0.0015 and $0.003 are not above $0.003; $0.0045 is; $0.006 an hour later is not alerted again.
        Assert.Equal([0, 0, 1, 1], raised);
        var alert = harness.AlertLog.Entries.Single(e => e.Message.Contains("(anomaly", StringComparison.Ordinal)).Message;
        Assert.Contains("spent 0.0045 USD, limit 0.003 USD", alert, StringComparison.Ordinal);
        Assert.Equal("anomaly", Assert.Single(harness.Metrics.Of("opensesame.budget.alerts")).Tags["level"]);
    }

    [Fact]
    public async Task TheTrailingAverageLeavesTheLastHourOut()
    {
        using var harness = new RoutingHarness();
        var now = RoutingHarness.MarchFirst.AddDays(8);
        await harness.Ledger.RecordAsync(new CostEntry(now.AddMinutes(-30), "p-1", null, null, "claude-3-haiku", 0, 0, 1m, false), Cancel);
        await harness.Ledger.RecordAsync(new CostEntry(now.AddHours(-2), "p-2", null, null, "claude-3-haiku", 0, 0, 1.68m, false), Cancel);

        Assert.Equal(1m, await harness.Ledger.LastHourSpendAsync(now, Cancel));
        Assert.Equal(0.01m, await harness.Ledger.TrailingHourlyAverageAsync(now, 7, Cancel));
    }

    [Fact]
    public async Task TheLedgerPersistsAcrossInstances()
    {
        var folder = Directory.CreateTempSubdirectory("opensesame-ledger-").FullName;
        try
        {
            using (var first = new RoutingHarness(RoutingHarness.OneDollarBudget, folder))
            {
                await first.SpendAsync(0.8m, "alice");
            }

            SqliteConnection.ClearAllPools();
            using var second = new RoutingHarness(RoutingHarness.OneDollarBudget, folder);
            await second.Get<BudgetTracker>().LoadAsync(Cancel);

            Assert.Equal(0.8m, await second.Ledger.SpendTodayAsync(second.Time.GetUtcNow(), Cancel));
            Assert.Equal("alice", Assert.Single(await second.Ledger.SpendByAsync(CostGrouping.User, DateTimeOffset.MinValue,
                DateTimeOffset.MaxValue, 10, Cancel)).Key);
            var decision = second.Decide();
            Assert.Equal((RouteReasons.BudgetDegraded, 80.0), (decision.Reason, decision.BudgetUsedPercent));
            // The 75 % level was passed (and announced) before the restart: no second alert for it.
            await second.SpendAsync(0.01m);
            Assert.Empty(second.BudgetAlertLines());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheWebhookReceivesEachAlertAsSnakeCaseJson()
    {
        var bodies = new ConcurrentQueue<string>();
        using var server = new LoopbackHttpServer(async request =>
        {
            using var reader = new StreamReader(request.InputStream);
            bodies.Enqueue(await reader.ReadToEndAsync());
            return (204, "");
        });
        using var harness = new RoutingHarness(new Dictionary<string, string?>(RoutingHarness.OneDollarBudget)
        {
            ["Routing:AlertWebhookUrl"] = server.Url("/alerts"),
        });

        await harness.SpendAsync(0.9m);
        await harness.Alerts.DeliveredAsync();

        // 75 % and 90 % of the budget, and (spent within an hour on an empty ledger) the anomaly alert.
        Assert.Equal(3, bodies.Count);
        Assert.Contains(bodies, b => b.Contains("\"level_percent\":90", StringComparison.Ordinal)
                                     && b.Contains("\"kind\":\"budget\"", StringComparison.Ordinal)
                                     && b.Contains("\"limit_usd\":1", StringComparison.Ordinal));
        Assert.Single(bodies, b => b.Contains("\"kind\":\"anomaly\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailingWebhookIsLoggedAndNeverFailsTheRecording()
    {
        using var server = new LoopbackHttpServer(_ => Task.FromResult((500, "down")));
        using var harness = new RoutingHarness(new Dictionary<string, string?>(RoutingHarness.OneDollarBudget)
        {
            ["Routing:AlertWebhookUrl"] = server.Url("/alerts"),
        });

        var accounted = await harness.SpendAsync(0.75m);
        await harness.Alerts.DeliveredAsync();

        Assert.Equal(0.75m, accounted.ActualCostUsd);
        Assert.Contains(harness.AlertLog.At(LogLevel.Warning), m => m.Contains("answered 500", StringComparison.Ordinal));
    }
}
