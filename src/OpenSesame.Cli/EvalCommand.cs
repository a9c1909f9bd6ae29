using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Semantics;
using Spectre.Console;

namespace OpenSesame.Cli;

/// <summary>
/// <c>opensesame eval --format &lt;name&gt; --dataset &lt;path&gt; [--spec &lt;path&gt;] [--split all|train|validation] [--json]
/// [--cases-out file.jsonl]</c>: every system side by side on every next-call case of a dataset.
/// </summary>
internal static class EvalCommand
{
    private const int K = 5;

    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = $"Dataset format: {string.Join(", ", EvalDatasetAdapters.Formats)}.", Required = true };
        var dataset = new Option<string>("--dataset") { Description = "The dataset file (or folder, for octokit fixtures and recorded traffic).", Required = true };
        var spec = new Option<string?>("--spec") { Description = "Use this spec instead of the one the adapter finds under ../shared/evaldata." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var casesOut = new Option<FileInfo?>("--cases-out") { Description = "Write one JSON line per case: input, target, and each system's top 5." };
        var seed = new Option<int>("--seed") { Description = "Seed of the random baseline.", DefaultValueFactory = _ => 42 };
        var split = new Option<string>("--split")
        {
            Description = "Which part to score: all (default), or the train or validation part of recorded traffic "
                          + "(--format traffic only; docs/EVALUATION.md describes the split).",
            DefaultValueFactory = _ => "all",
        };
        split.AcceptOnlyFromAmong([.. EvalSplits.Names]);

        var command = new Command("eval", "Evaluate the predictors on a task set.") { format, dataset, spec, split, json, casesOut, seed };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var catalogs = new EvalSpecCatalogs();
            var report = new EvalReport();
            if (await LoadCasesAsync(parse.GetValue(format)!, parse.GetValue(dataset)!, parse.GetValue(spec), parse.GetValue(split)!,
                    catalogs, report, parse.InvocationConfiguration.Error) is not { } cases)
            {
                return 2;
            }

            await using var host = await CliHost.StartAsync(cancellationToken: cancellationToken);
            var systems = Systems(host.Services, parse.GetValue(seed));
            var semantic = host.Get<IOptions<PredictionOptions>>().Value.SemanticRetrieval;
            var runner = new EvalRunner(catalogs, semantic ? host.Get<SentenceEmbedder>() : null);
            var result = await RunWithProgressAsync(runner, parse.GetValue(dataset)!, cases, report, systems, cancellationToken);
            if (parse.GetValue(casesOut) is { } file)
            {
                await WriteCasesAsync(file, result, cancellationToken);
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(ToJson(result), ContractJson.Options));
            }
            else
            {
                PrintTables(result);
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// The next-call cases of a task set, in file order, as <c>eval</c> and <c>replay</c> read it, with what the adapter
    /// left out written to <paramref name="error"/>; null, with the reason written there, when the format, the split
    /// or the dataset is unusable.
    /// </summary>
    internal static async Task<List<EvalCase>?> LoadCasesAsync(string format, string dataset, string? spec, string split,
        EvalSpecCatalogs catalogs, EvalReport report, TextWriter error)
    {
        List<EvalCase> cases;
        try
        {
            var adapter = EvalDatasetAdapters.Get(format, catalogs, EvalSplits.Parse(split));
            var tasks = adapter.Load(dataset, spec, report).ToList();
            cases = new EvalCaseBuilder(catalogs).Build(tasks, report);
        }
        catch (EvalDataException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return null;
        }

        await DescribeSkippedAsync(report, error);
        return cases;
    }

    // What the adapter left out, by reason, before the run: a malformed item or a split's drop costs cases silently otherwise.
    private static async Task DescribeSkippedAsync(EvalReport report, TextWriter error)
    {
        foreach (var (reason, tally) in report.Skipped)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"skipped {tally.Count}: {reason} (e.g. {tally.Examples[0]})"));
        }

        if (report.HistoryOnlyCalls > 0)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{report.HistoryOnlyCalls} calls the dataset marks as no operation of its spec: history of later cases, never a target"));
        }
    }

    private static List<IEvalSystem> Systems(IServiceProvider services, int seed)
    {
        var pipeline = services.GetRequiredService<CandidatePipeline>();
        var systems = new List<IEvalSystem>
        {
            new RandomSystem(seed),
            new PopularitySystem(),
            new LexicalSystem(),
            new ShortlistSystem(),
            new PipelineSystem("heuristic", pipeline, new HeuristicRanker(), K),
        };
        // The model the service would serve: the one trained into the model directory, else the one shipped with it.
        if (services.GetRequiredService<IRankerSource>().Current is LearnedRanker serving)
        {
            Console.Error.WriteLine($"ranker: model {serving.Version}");
            systems.Add(new PipelineSystem("ranker", pipeline, serving, K));
            systems.Add(new PipelineSystem("ranker+usage", pipeline, serving, K, learnsUsage: true));
        }
        else
        {
            Console.Error.WriteLine("No learned model to serve (none trained, none shipped): the 'ranker' systems are left out (run 'opensesame train').");
        }

        var store = services.GetRequiredService<RankerModelStore>();
        if (store.PointedVersion(RankerModelStore.WithoutIntentPointer) is not null
            && Load(store, RankerModelStore.WithoutIntentPointer, "ranker-no-intent", "opensesame train --without-intent") is { } basic)
        {
            systems.Add(new PipelineSystem("ranker-no-intent", pipeline, new LearnedRanker(basic), K, intentSignals: false));
        }

        return systems;
    }

    // A missing or outdated model leaves its system out of the comparison instead of failing the whole evaluation.
    private static RankerModel? Load(RankerModelStore store, string pointer, string system, string fix)
    {
        if (store.PointedVersion(pointer) is not { } version)
        {
            Console.Error.WriteLine($"No '{pointer}' model in {store.Directory}: the '{system}' system is left out (run '{fix}').");
            return null;
        }

        try
        {
            return store.Load(version);
        }
        catch (InvalidDataException ex)
        {
            Console.Error.WriteLine($"{ex.Message} The '{system}' system is left out.");
            return null;
        }
    }

    private static async Task<EvalResult> RunWithProgressAsync(EvalRunner runner, string dataset, List<EvalCase> cases,
        EvalReport report, List<IEvalSystem> systems, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            await Console.Error.WriteLineAsync($"evaluating {cases.Count} cases with {systems.Count} systems ...");
            var done = await runner.RunAsync(dataset, cases, report, systems, null, cancellationToken);
            await Console.Error.WriteLineAsync("evaluation complete");
            return done;
        }

        EvalResult? result = null;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"evaluating {cases.Count} cases", maxValue: Math.Max(1, cases.Count));
            result = await runner.RunAsync(dataset, cases, report, systems, new Progress<int>(n => task.Value = n), cancellationToken);
            task.Value = task.MaxValue;
        });
        return result!;
    }

    private static object ToJson(EvalResult result) => new
    {
        dataset = result.Dataset,
        cases = result.Report.Cases,
        unmappable_cases = result.Report.UnmappableCases,
        skipped = result.Report.SkippedCount,
        skipped_by_reason = result.Report.Skipped.ToDictionary(s => s.Key, s => s.Value.Count, StringComparer.Ordinal),
        history_only_calls = result.Report.HistoryOnlyCalls,
        unprompted_destructive_targets = result.Report.UnpromptedDestructiveTargets,
        systems = result.Systems.ToDictionary(s => s.Key, s => new
        {
            top1 = Round(s.Value.Overall.Top1),
            top3 = Round(s.Value.Overall.Top3),
            top5 = Round(s.Value.Overall.Top5),
            mrr = Round(s.Value.Overall.Mrr),
            ndcg5 = Round(s.Value.Overall.Ndcg5),
            coverage = Round(s.Value.Overall.Coverage),
            cases = s.Value.Overall.Count,
            by_history = s.Value.ByHistory.ToDictionary(b => b.Key, b => new
            {
                top1 = Round(b.Value.Top1),
                top3 = Round(b.Value.Top3),
                mrr = Round(b.Value.Mrr),
                cases = b.Value.Count,
            }),
        }),
    };

    private static double Round(double value) => Math.Round(value, 4);

    private static Task WriteCasesAsync(FileInfo file, EvalResult result, CancellationToken cancellationToken) =>
        WriteJsonLinesAsync(file, result.Outcomes.Select(outcome => new
        {
            task = outcome.Case.TaskId,
            spec = outcome.Case.Spec.Name,
            prompt = outcome.Case.Prompt,
            history = outcome.Case.History.Select(h => h.Endpoint),
            expected = outcome.Case.Expected,
            systems = outcome.Ranked.ToDictionary(r => r.Key, r => new
            {
                rank = RankingMetrics.RankOf(r.Value, outcome.Case.Expected),
                top5 = r.Value.Take(5),
            }),
        }), cancellationToken);

    /// <summary>One JSON object per line, in the contract's spelling (<c>--cases-out</c> of eval and replay).</summary>
    internal static async Task WriteJsonLinesAsync<T>(FileInfo file, IEnumerable<T> rows, CancellationToken cancellationToken)
    {
        file.Directory?.Create();
        await using var writer = new StreamWriter(file.FullName);
        foreach (var row in rows)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(row, ContractJson.Options).AsMemory(), cancellationToken);
        }
    }

    private static void PrintTables(EvalResult result)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(result.Dataset)}[/]: {result.Report.Cases} cases"
                               + $" ({result.Report.UnmappableCases} unmappable targets, {result.Report.SkippedCount} items skipped by the adapter,"
                               + $" {result.Report.HistoryOnlyCalls} history-only calls,"
                               + $" {result.Report.UnpromptedDestructiveTargets} targets destructive without the prompt asking)");
        var table = new Table().AddColumns("system", "top1", "top3", "top5", "mrr", "ndcg5", "coverage", "cases");
        foreach (var (name, scores) in result.Systems)
        {
            var s = scores.Overall;
            table.AddRow(name, F(s.Top1), F(s.Top3), F(s.Top5), F(s.Mrr), F(s.Ndcg5), F(s.Coverage), s.Count.ToString(CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        var buckets = new Table().AddColumn("system");
        foreach (var bucket in RankingMetrics.HistoryBuckets)
        {
            buckets.AddColumn($"top3 h={bucket}").AddColumn($"mrr h={bucket}").AddColumn($"n h={bucket}");
        }

        foreach (var (name, scores) in result.Systems)
        {
            buckets.AddRow([name, .. RankingMetrics.HistoryBuckets.SelectMany(b => new[]
            {
                F(scores.ByHistory[b].Top3), F(scores.ByHistory[b].Mrr), scores.ByHistory[b].Count.ToString(CultureInfo.InvariantCulture),
            })]);
        }

        AnsiConsole.Write(buckets);
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
