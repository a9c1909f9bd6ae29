using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenSesame.Cli.Simulation;
using OpenSesame.Predictor.Routing;
using Spectre.Console;
using Spectre.Console.Rendering;

using static OpenSesame.Cli.CliTables;

namespace OpenSesame.Cli;

/// <summary>
/// <c>opensesame simulate --sessions N [--budget-usd B] [--seed S] [--json]</c>: a month of synthetic user sessions
/// through the prediction service against a fake language-model provider, with what it cost (see
/// <see cref="ReplaySimulator"/>).
/// </summary>
internal static class SimulateCommand
{
    /// <param name="settings">Settings on top of the simulator's (tests turn semantic retrieval off).</param>
    public static Command Create(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var sessions = new Option<int>("--sessions") { Description = "Sessions to replay.", DefaultValueFactory = _ => 100 };
        var budget = new Option<decimal?>("--budget-usd") { Description = "The monthly budget for the run, in US dollars (Routing:MonthlyBudgetUsd; default the configured one, $100)." };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed replays the same run.", DefaultValueFactory = _ => 42 };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };

        var command = new Command("simulate", "Replay synthetic user sessions over a simulated month through the prediction "
                                              + "service, against a fake language-model provider on 127.0.0.1, and show "
                                              + "what they cost: predictions, model calls, cache hits, spend, model mix "
                                              + "and the budget curve.") { sessions, budget, seed, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(sessions);
            if (count < 1)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"--sessions must be at least 1; it was {count}.");
                return 2;
            }

            if (parse.GetValue(budget) is < 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("--budget-usd must not be negative.");
                return 2;
            }

            var options = new SimulationOptions
            {
                Sessions = count,
                Seed = parse.GetValue(seed),
                BudgetUsd = parse.GetValue(budget),
                Settings = settings ?? new Dictionary<string, string?>(),
            };
            var steps = ReplaySimulator.Plan(options);
            SimulationReport? report = null;
            await CliProgress.RunAsync($"simulating {count} sessions ({steps.Count} predictions)", steps.Count, async progress =>
                report = await ReplaySimulator.RunAsync(options, steps, progress, cancellationToken));

            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(Json(report!).ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            }
            else
            {
                Write(report!, options, ConsoleFor(output));
            }

            return 0;
        });
        return command;
    }

    /// <summary>The JSON the command prints: the fields in its order, then the budget curve.</summary>
    internal static JsonObject Json(SimulationReport report)
    {
        var mix = new JsonObject();
        foreach (var (model, n) in report.ModelMix)
        {
            mix[model] = n;
        }

        // Always there, 0 included: a reader of the shape should not have to guess whether "no key" means none.
        mix[RoutingOptions.Local] ??= 0;

        var curve = new JsonArray();
        foreach (var point in report.BudgetCurve)
        {
            var segment = new JsonObject();
            foreach (var (model, n) in point.ModelMix)
            {
                segment[model] = n;
            }

            curve.Add(new JsonObject
            {
                ["predictions"] = point.Predictions,
                ["at"] = point.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["spend_usd"] = Normal(point.SpendUsd),
                ["budget_used_percent"] = point.BudgetUsedPercent,
                ["cache_hits"] = point.CacheHits,
                ["model_mix"] = segment,
            });
        }

        return new JsonObject
        {
            ["predictions"] = report.Predictions,
            ["llm_calls"] = report.LlmCalls,
            ["cache_hits"] = report.CacheHits,
            ["spend_usd"] = Normal(report.SpendUsd),
            ["budget_usd"] = Normal(report.BudgetUsd),
            ["max_request_cost_usd"] = Normal(report.MaxRequestCostUsd),
            ["cost_per_prediction_usd"] = Normal(report.CostPerPredictionUsd),
            ["model_mix"] = mix,
            ["budget_curve"] = curve,
        };
    }

    /// <summary>Without trailing zeros: 0.0069745, not 0.00697450.</summary>
    private static decimal Normal(decimal value) => value / 1.000000000000000000000000000000000m;

    private static void Write(SimulationReport report, SimulationOptions options, IAnsiConsole console)
    {
        var ranker = report.TrainedRanker ? "trained ranker." : "heuristic ranker (no trained model).";
        console.WriteLine(Invariant($"Simulated {report.Sessions} sessions of {report.Users} users from {report.From:yyyy-MM-dd HH:mm} to {report.Until:yyyy-MM-dd HH:mm} UTC (seed {options.Seed}), against a fake provider; {ranker}"));
        console.WriteLine();
        var summary = new Grid().AddColumn().AddColumn();
        AddRow(summary, "predictions", Count(report.Predictions) + (report.Unanswered > 0 ? $" ({Count(report.Unanswered)} without an answer)" : ""));
        AddRow(summary, "LLM calls", Count(report.LlmCalls));
        AddRow(summary, "cache hits", Count(report.CacheHits));
        if (report.LlmCalls > 0)
        {
            AddRow(summary, "tokens per call", Invariant($"{(double)report.InputTokens / report.LlmCalls:0} input, {(double)report.OutputTokens / report.LlmCalls:0} output (mean, as the provider reported them)"));
        }

        AddRow(summary, "spend", $"{Usd(report.SpendUsd)} of a {Usd(report.BudgetUsd)} monthly budget");
        AddRow(summary, "cost per prediction", $"{Usd(report.CostPerPredictionUsd)} mean, {Usd(report.MaxRequestCostUsd)} at most");
        AddRow(summary, "without an LLM call", Invariant($"{report.ServedWithoutLlmCallShare * 100:0.0} % of predictions (cache or local)"));
        console.Write(summary);
        console.WriteLine();

        var mix = Table("Model mix (predictions by what answered; cache hits apart)", "served by", "predictions", "share");
        foreach (var (model, n) in report.ModelMix)
        {
            AddRow(mix, model, Count(n), Invariant($"{100.0 * n / report.Predictions:0.0} %"));
        }

        AddRow(mix, "(cache)", Count(report.CacheHits), Invariant($"{100.0 * report.CacheHits / report.Predictions:0.0} %"));
        console.Write(mix);
        console.WriteLine();

        var curve = Table("Budget curve (after each tenth of the predictions)", "predictions", "simulated time (UTC)", "spend",
            "budget used", "cache hits", "served in this tenth");
        foreach (var p in report.BudgetCurve)
        {
            AddRow(curve, Count(p.Predictions), p.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                Usd(p.SpendUsd), Invariant($"{p.BudgetUsedPercent:0.0} %"), Count(p.CacheHits),
                string.Join(", ", p.ModelMix.Select(m => $"{m.Key} {Count(m.Value)}")));
        }

        console.Write(curve);
    }

    private static Table Table(string title, string first, params string[] others)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(title)) }.AddColumn(new TableColumn(Markup.Escape(first)));
        foreach (var column in others)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }
}
