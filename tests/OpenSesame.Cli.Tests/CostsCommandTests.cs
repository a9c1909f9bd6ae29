using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Cli.Tests;

/// <summary>
/// <c>opensesame costs</c> over a ledger in a temporary data directory, configured as the CLI configures itself, on
/// a fake clock. The numbers are worked out by hand in the comments.
/// </summary>
public sealed class CostsCommandTests : IDisposable
{
    // 19.5 of March's 31 days have gone by.
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opensesame-cli-tests-").FullName;
    private FakeTimeProvider _time = new(Now);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task PrintsTheReportOfTheLedgerInTheDataDirectory()
    {
        await SeedAsync(
            // Haiku: 300 × $0.25/M + 100 × $1.25/M; Sonnet: 1,000 × $3/M + 200 × $15/M, and 500 × $3/M + 100 × $15/M.
            new CostEntry(At(20, 9), "p1", "ana", "s-a", "claude-3-haiku", 300, 100, 0.0002m, false),
            new CostEntry(At(20, 10), "p2", "ben", "s-b", "claude-3-sonnet", 1000, 200, 0.006m, false),
            new CostEntry(At(19, 8), "p3", "ana", "s-a", "local", 0, 0, 0m, false),
            new CostEntry(At(10, 8), "p4", "cy", null, "claude-3-sonnet", 500, 100, 0.003m, false));

        var (code, output, error) = await RunAsync("costs", "--top", "2");

        Assert.Equal((0, ""), (code, error));
        Assert.Contains("Costs at 2026-03-20 12:00 UTC", output, StringComparison.Ordinal);
        // Today: p1 + p2. March: today + p3 + p4 = 0.0092, × 31 / 19.5 = 0.01462564102…
        Assert.Equal(["today", "$0.0062"], Cells(output, "today"));
        Assert.Equal(["this month", "$0.0092"], Cells(output, "this month"));
        Assert.Equal(["projected month end", "$0.014625641"], Cells(output, "projected month end"));
        Assert.Equal(["predictions", "4 this month, 0 answered from the cache"], Cells(output, "predictions"));
        // Costs 0, 0.0002, 0.003, 0.006: mean 0.0092 / 4; the 95th percentile is the ⌈3.8⌉ = 4th.
        Assert.Equal(["cost per prediction", "mean $0.0023, p95 $0.006"], Cells(output, "cost per prediction"));
        // Since 13 March 12:00: p1 to p3; the seven days before: p4; (0.0062 − 0.003) / 0.003 = +106.7 %.
        Assert.Equal(["weekly trend", "$0.0062 in the last 7 days, against $0.003 the 7 days before (+106.7 %)"],
            Cells(output, "weekly trend"));
        Assert.Equal(["claude-3-sonnet", "$0.009", "2", "2", "1500", "300", "0"], Cells(output, "claude-3-sonnet"));
        Assert.Equal(["claude-3-haiku", "$0.0002", "1", "1", "300", "100", "0"], Cells(output, "claude-3-haiku"));
        Assert.Equal(["local", "$0.00", "1", "1", "0", "0", "0"], Cells(output, "local"));
        // --top 2: ana (0.0002) and her session are left out.
        Assert.Equal(["ben", "$0.006", "1", "1"], Cells(output, "ben"));
        Assert.Equal(["cy", "$0.003", "1", "1"], Cells(output, "cy"));
        Assert.Empty(Cells(output, "ana"));
        Assert.Equal(["(no session)", "$0.003", "1", "1"], Cells(output, "(no session)"));
        Assert.Empty(Cells(output, "s-a"));
        // The last seven days: 14 to 20 March.
        Assert.Equal(["2026-03-20", "$0.0062", "2"], Cells(output, "2026-03-20"));
        Assert.Equal(["2026-03-19", "$0.00", "1"], Cells(output, "2026-03-19"));
        Assert.NotEmpty(Cells(output, "2026-03-14"));
        Assert.Empty(Cells(output, "2026-03-13"));
    }

    [Fact]
    public async Task TheJsonOptionPrintsTheReportAsTheRouteAnswersIt()
    {
        await SeedAsync(
            new CostEntry(At(20, 9), "p1", "ana", "s-a", "claude-3-haiku", 300, 100, 0.0002m, false),
            new CostEntry(At(20, 10), "p2", "ben", "s-b", "claude-3-sonnet", 1000, 200, 0.006m, false),
            new CostEntry(At(18, 10), "p3", "cy", "s-c", "claude-3-haiku", 0, 0, 0m, true));

        var (code, output, _) = await RunAsync("costs", "--top", "1", "--json");

        Assert.Equal(0, code);
        var report = JsonNode.Parse(output)!;
        Assert.Equal(Now, (DateTimeOffset)report["generated_at"]!);
        Assert.Equal(0.0062m, (decimal)report["month_usd"]!);
        Assert.Equal((3, 1), ((int)report["predictions"]!, (int)report["cache_hits"]!));
        Assert.Equal("ben", (string?)report["top_users"]!.AsArray().Single()!["key"]);
        Assert.Equal("s-b", (string?)report["top_sessions"]!.AsArray().Single()!["key"]);
        Assert.Equal(30, report["daily"]!.AsArray().Count);
        Assert.Null(report["weekly"]!["change_percent"]);
    }

    [Fact]
    public async Task SaysTheLedgerIsEmptyWhenNothingWasRecorded()
    {
        var (code, output, _) = await RunAsync("costs");

        Assert.Equal(0, code);
        Assert.Equal($"The cost ledger is empty: no prediction has been recorded in the SQLite file {Path.Combine(_dataDirectory, "opensesame.db")} yet.",
            output.Trim());
    }

    [Fact]
    public async Task SaysSoWhenTheLedgerHoldsOnlyEntriesOlderThanTheReport()
    {
        await SeedAsync(new CostEntry(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero), "p1", "ana", "s-a",
            "claude-3-haiku", 300, 100, 0.0002m, false));

        var (code, output, _) = await RunAsync("costs");

        Assert.Equal(0, code);
        Assert.StartsWith("No prediction was recorded this month or in the last 30 days; the cost ledger in ", output.Trim(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnTheFirstOfTheMonthShowsTheLastDaysWithoutMonthlyTables()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 3, 0, 0, TimeSpan.Zero));
        await SeedAsync(new CostEntry(At(31, 20), "p1", "ana", "s-a", "claude-3-haiku", 300, 100, 0.0002m, false));

        var (code, output, _) = await RunAsync("costs");

        Assert.Equal(0, code);
        Assert.Equal(["this month", "$0.00"], Cells(output, "this month"));
        Assert.Contains("Nothing was recorded this month yet", output, StringComparison.Ordinal);
        Assert.Empty(Cells(output, "ana"));
        Assert.Equal(["2026-03-31", "$0.0002", "1"], Cells(output, "2026-03-31"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    public async Task RefusesATopOutsideOneToAHundred(string top)
    {
        var (code, output, error) = await RunAsync("costs", "--top", top);

        Assert.Equal((2, ""), (code, output));
        Assert.Equal($"--top must be between 1 and 100; it was {top}.", error.Trim());
    }

    private Task<StartedHost> StartHostAsync(CancellationToken cancellationToken) => CliHost.StartAsync(
        new Dictionary<string, string?> { ["Storage:DataDirectory"] = _dataDirectory },
        services => services.AddSingleton<TimeProvider>(_time), cancellationToken);

    private async Task SeedAsync(params CostEntry[] entries)
    {
        await using var host = await StartHostAsync(Cancel);
        var ledger = host.Get<ICostLedger>();
        foreach (var entry in entries)
        {
            await ledger.RecordAsync(entry, Cancel);
        }
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) =>
        CommandRun.RunAsync(CostsCommand.Create(StartHostAsync), args);

    /// <summary>The cells of the first table or summary row whose first cell is <paramref name="first"/>; none when
    /// there is no such row.</summary>
    private static string[] Cells(string output, string first) => output.Split('\n')
        .Select(line => line.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        .Select(cells => cells.Length == 1 ? SplitSummary(cells[0]) : cells)
        .FirstOrDefault(cells => cells.Length > 0 && cells[0] == first, []);

    // A summary line is two grid columns separated by spaces: "today                 $0.0062".
    private static string[] SplitSummary(string line)
    {
        var gap = line.IndexOf("  ", StringComparison.Ordinal);
        return gap < 0 ? [line] : [line[..gap], line[gap..].Trim()];
    }

    private static DateTimeOffset At(int day, int hour) => new(2026, 3, day, hour, 0, 0, TimeSpan.Zero);
}
