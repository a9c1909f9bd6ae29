using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Storage;
using Spectre.Console;
using Spectre.Console.Rendering;

using static OpenSesame.Cli.CliTables;

namespace OpenSesame.Cli;

/// <summary>
/// <c>opensesame costs [--top 10] [--json]</c>: the cost report of <c>GET /cost-analytics</c>, read from the ledger in
/// the configured data directory, as a summary with tables or as the route's JSON.
/// </summary>
internal static class CostsCommand
{
    /// <summary>Days of the daily series the summary shows; the JSON has all of them.</summary>
    private const int RecentDays = 7;

    /// <param name="startHost">Starts the services to read the ledger and the clock from; the CLI's own by default
    /// (tests start theirs, with a temporary data directory and a fake clock).</param>
    public static Command Create(Func<CancellationToken, Task<StartedHost>>? startHost = null)
    {
        var top = new Option<int>("--top")
        {
            Description = $"Users and sessions to list (1-{CostAnalytics.MaxTop}).",
            DefaultValueFactory = _ => CostAnalytics.DefaultTop,
        };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON, as GET /cost-analytics answers it." };

        var command = new Command("costs", "Show where the money goes: spend today and this month, the projected month end, "
                                           + "the cost per prediction, spend per model, the top users and sessions, and "
                                           + "the last 30 days.") { top, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var count = parse.GetValue(top);
            if (count is < 1 or > CostAnalytics.MaxTop)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"--top must be between 1 and {CostAnalytics.MaxTop}; it was {count}.");
                return 2;
            }

            await using var host = await (startHost?.Invoke(cancellationToken) ?? CliHost.StartAsync(cancellationToken: cancellationToken));
            var ledger = host.Get<ICostLedger>();
            var now = host.Get<TimeProvider>().GetUtcNow();
            var report = await CostAnalytics.ComputeAsync(ledger, now, count, cancellationToken);
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, ContractJson.Options));
                return 0;
            }

            if (report.Predictions == 0 && report.Daily.All(d => d.Predictions == 0))
            {
                var database = host.Get<IStoreMigrations>().Store;
                await output.WriteLineAsync(await IsEmptyAsync(ledger, cancellationToken)
                    ? $"The cost ledger is empty: no prediction has been recorded in the {database} yet."
                    : $"No prediction was recorded this month or in the last {CostAnalytics.DailyDays} days; "
                      + $"the cost ledger in the {database} holds older entries only.");
                return 0;
            }

            Write(report, ConsoleFor(output));
            return 0;
        });
        return command;
    }

    private static async Task<bool> IsEmptyAsync(ICostLedger ledger, CancellationToken cancellationToken) =>
        (await ledger.SpendByAsync(CostGrouping.Model, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1, cancellationToken))
        .Count == 0;

    private static void Write(CostReport report, IAnsiConsole console)
    {
        var at = report.GeneratedAt.UtcDateTime;
        console.WriteLine(Invariant($"Costs at {at:yyyy-MM-dd HH:mm} UTC; \"this month\" is {at:yyyy-MM} (UTC)."));
        console.WriteLine();

        var weekly = report.Weekly;
        var change = weekly.ChangePercent is { } percent
            ? $"({percent.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)} %)"
            : "(no change to show: nothing was spent then)";
        var summary = new Grid().AddColumn().AddColumn();
        AddRow(summary, "today", Usd(report.TodayUsd));
        AddRow(summary, "this month", Usd(report.MonthUsd));
        AddRow(summary, "projected month end", Usd(report.ProjectedMonthUsd));
        AddRow(summary, "predictions", Invariant($"{report.Predictions} this month, {report.CacheHits} answered from the cache"));
        AddRow(summary, "cost per prediction",
            $"mean {Usd(report.CostPerPredictionMeanUsd)}, p95 {Usd(report.CostPerPredictionP95Usd)}");
        AddRow(summary, "weekly trend",
            $"{Usd(weekly.ThisWeekUsd)} in the last 7 days, against {Usd(weekly.LastWeekUsd)} the 7 days before {change}");
        console.Write(summary);
        console.WriteLine();

        if (report.Predictions == 0)
        {
            console.WriteLine("Nothing was recorded this month yet: no spend per model, user or session to show.");
        }
        else
        {
            var models = Titled("Per model, this month", "model", "cost", "predictions", "entries", "input tokens",
                "output tokens", "cache hits");
            foreach (var m in report.Models)
            {
                AddRow(models, m.Key ?? "-", Usd(m.CostUsd), Count(m.Predictions), Count(m.Entries), Count(m.InputTokens),
                    Count(m.OutputTokens), Count(m.CacheHits));
            }

            console.Write(models);
            console.WriteLine();
            console.Write(Spenders("Top users, this month", "user", report.TopUsers));
            console.WriteLine();
            console.Write(Spenders("Top sessions, this month", "session", report.TopSessions));
        }

        console.WriteLine();

        var days = Titled($"Last {RecentDays} days (all {report.Daily.Count} with --json)", "day (UTC)", "cost", "predictions");
        foreach (var d in report.Daily.TakeLast(RecentDays))
        {
            AddRow(days, d.Day, Usd(d.CostUsd), Count(d.Predictions));
        }

        console.Write(days);
    }

    private static Table Spenders(string title, string what, IReadOnlyList<SpendGroup> groups)
    {
        var table = Titled(title, what, "cost", "predictions", "entries");
        foreach (var g in groups)
        {
            AddRow(table, g.Key ?? $"(no {what})", Usd(g.CostUsd), Count(g.Predictions), Count(g.Entries));
        }

        return table;
    }

    /// <summary>A table whose first column is text and the others numbers, right-aligned.</summary>
    private static Table Titled(string title, string first, params string[] numbers)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(title)) }.AddColumn(new TableColumn(Markup.Escape(first)));
        foreach (var column in numbers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
        }

        return table;
    }
}
