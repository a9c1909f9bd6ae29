using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;
using OpenSesame.Evaluation.Replay;
using OpenSesame.Predictor.Prediction;
using Spectre.Console;

using static OpenSesame.Cli.CliTables;

namespace OpenSesame.Cli;

/// <summary>
/// <c>opensesame replay --format &lt;name&gt; --dataset &lt;path&gt; [--url http://127.0.0.1:8080] [--k 3] [--window 50]
/// [--limit N] [--json]</c>: a task set's cases through the real prediction service, in file order, as its users' clients
/// would send them (<see cref="ReplayPlan"/>), with the learning curve of what the service learns on the way.
/// </summary>
/// <remarks>
/// In process by default, on the configured settings and a fresh temporary data directory (or <c>--data-dir</c>), with
/// the configured deployment's ranker; over HTTP to a running service with <c>--url</c>. Any URL is accepted: the
/// dataset's histories, parameters and prompts go to it, so point it at a service of your own.
/// </remarks>
internal static class ReplayCommand
{
    public const string ApiKeyVariable = "OPENSESAME_API_KEY";

    /// <param name="settings">Settings on top of the configuration for the in-process service (tests turn semantic
    /// retrieval off).</param>
    public static Command Create(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var format = new Option<string>("--format") { Description = $"Dataset format: {string.Join(", ", EvalDatasetAdapters.Formats)}.", Required = true };
        var dataset = new Option<string>("--dataset") { Description = "The dataset file (or folder, for octokit fixtures and recorded traffic).", Required = true };
        var spec = new Option<string?>("--spec") { Description = "Use this spec instead of the one the adapter finds under ../shared/evaldata." };
        var split = new Option<string>("--split")
        {
            Description = "Which part to replay: all (default), or the train or validation part of recorded traffic.",
            DefaultValueFactory = _ => "all",
        };
        split.AcceptOnlyFromAmong([.. EvalSplits.Names]);
        var url = new Option<string?>("--url") { Description = "Replay over HTTP against the service at this root (http://127.0.0.1:8080) instead of in process." };
        var apiKey = new Option<string?>("--api-key") { Description = $"The API key for --url, when the service requires one (default ${ApiKeyVariable})." };
        var dataDir = new Option<string?>("--data-dir") { Description = "In process: use this data directory (what it learned before counts) instead of a fresh temporary one." };
        var k = new Option<int>("--k") { Description = "Predictions asked per request.", DefaultValueFactory = _ => 3 };
        var window = new Option<int>("--window") { Description = "Cases per point of the learning curve.", DefaultValueFactory = _ => 50 };
        var limit = new Option<int?>("--limit") { Description = "Replay only the first N cases (and their sessions' closing requests)." };
        var maxEvents = new Option<int>("--max-events") { Description = "Most history events per request; a longer history sends its most recent calls.", DefaultValueFactory = _ => 50 };
        var delivery = new Option<string?>("--spec-delivery")
        {
            Description = "How requests name their spec: path (spec_url = the file's path; the service needs its folder in "
                          + "Specs:Folders, which in process is added for you) or inline (the document itself). Default: "
                          + "path in process, inline over HTTP.",
        };
        delivery.AcceptOnlyFromAmong("path", "inline");
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var casesOut = new Option<FileInfo?>("--cases-out") { Description = "Write one JSON line per case: its session, input, target, status, rank and the answer." };

        var command = new Command("replay", "Replay a task set's cases through the prediction service in order, as clients "
                                            + "would send them, and show how its answers improve as it learns.")
        {
            format, dataset, spec, split, url, apiKey, dataDir, k, window, limit, maxEvents, delivery, json, casesOut,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var target = parse.GetValue(url);
            if (Check(parse.GetValue(k), parse.GetValue(window), parse.GetValue(limit), parse.GetValue(maxEvents), target,
                    parse.GetValue(dataDir), parse.GetValue(apiKey)) is { } problem)
            {
                await error.WriteLineAsync(problem);
                return 2;
            }

            var catalogs = new EvalSpecCatalogs();
            var cases = await EvalCommand.LoadCasesAsync(parse.GetValue(format)!, parse.GetValue(dataset)!, parse.GetValue(spec),
                parse.GetValue(split)!, catalogs, new EvalReport(), error);
            if (cases is null)
            {
                return 2;
            }

            if (parse.GetValue(limit) is { } first)
            {
                cases = cases.Take(first).ToList();
            }

            var replay = new ReplaySettings
            {
                K = parse.GetValue(k),
                Window = parse.GetValue(window),
                MaxEvents = parse.GetValue(maxEvents),
                Specs = parse.GetValue(delivery) switch
                {
                    "path" => SpecDelivery.Path,
                    "inline" => SpecDelivery.Inline,
                    _ => target is null ? SpecDelivery.Path : SpecDelivery.Inline,
                },
            };
            var steps = ReplayPlan.Build(cases, catalogs);
            ReplayResult result;
            try
            {
                result = target is null
                    ? await InProcessAsync(parse.GetValue(dataset)!, steps, replay, parse.GetValue(dataDir), settings, cancellationToken)
                    : await OverHttpAsync(parse.GetValue(dataset)!, steps, replay, new Uri(target),
                        parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable), error, cancellationToken);
            }
            catch (ReplayTargetException ex)
            {
                // Bad input (the address, the key) unless the service had been answering: then it failed during the run.
                await error.WriteLineAsync(ex.Message);
                return ex.AfterAnswers ? 1 : 2;
            }

            if (parse.GetValue(casesOut) is { } file)
            {
                await WriteCasesAsync(file, result, cancellationToken);
            }

            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(ToJson(result, target), ContractJson.Options));
            }
            else
            {
                Write(result, target, ConsoleFor(output));
            }

            return 0;
        });
        return command;
    }

    /// <summary>What is wrong with the options, before anything is loaded; null when nothing is.</summary>
    private static string? Check(int k, int window, int? limit, int maxEvents, string? url, string? dataDir, string? apiKey)
    {
        if (k < 1)
        {
            return $"--k must be at least 1; it was {k}.";
        }

        if (window < 1)
        {
            return $"--window must be at least 1; it was {window}.";
        }

        if (limit < 1)
        {
            return $"--limit must be at least 1; it was {limit}.";
        }

        if (maxEvents < 1)
        {
            return $"--max-events must be at least 1; it was {maxEvents}.";
        }

        if (url is null)
        {
            return apiKey is null ? null : "--api-key is for a service over HTTP; give --url too.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"--url must be an http or https address such as http://127.0.0.1:8080; it was '{url}'.";
        }

        return dataDir is null ? null : "--data-dir is for the service in process; a service over HTTP keeps its own data.";
    }

    private static async Task<ReplayResult> InProcessAsync(string dataset, IReadOnlyList<ReplayStep> steps, ReplaySettings replay,
        string? dataDir, IReadOnlyDictionary<string, string?>? extra, CancellationToken cancellationToken)
    {
        using var scratch = dataDir is null ? TemporaryDataDirectory.Create("opensesame-replay-") : null;
        var configuration = CliHost.Configuration();
        var settings = new Dictionary<string, string?> { ["Storage:DataDirectory"] = Path.GetFullPath(dataDir ?? scratch!.Path) };
        if (scratch is not null)
        {
            // A fresh directory has no model: rank with the configured deployment's, as eval does.
            settings["Ranking:ModelDirectory"] = CliHost.ModelDirectory(configuration);
        }

        // Requests name their spec files by path, as a client of a service with the datasets in its spec folders would.
        var folders = configuration.GetSection("Specs:Folders").GetChildren().Count();
        foreach (var folder in steps.Select(s => s.Session.Spec.FilePath).OfType<string>()
                     .Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct(StringComparer.Ordinal))
        {
            settings[$"Specs:Folders:{folders++}"] = folder;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        await using var host = await CliHost.StartAsync(settings, cancellationToken: cancellationToken);
        var runner = new ReplayRunner(new ServiceReplayTarget(host.Get<PredictionService>()), replay);
        return await RunWithProgressAsync(runner, dataset, steps, "in process", cancellationToken);
    }

    private static async Task<ReplayResult> OverHttpAsync(string dataset, IReadOnlyList<ReplayStep> steps, ReplaySettings replay,
        Uri url, string? apiKey, TextWriter error, CancellationToken cancellationToken)
    {
        if (!url.IsLoopback)
        {
            await error.WriteLineAsync($"Replaying to {url.Host}, not this machine: the dataset's histories, parameters and prompts go there.");
        }

        using var client = HttpReplayTarget.CreateClient(url, apiKey);
        var target = new HttpReplayTarget(client, TimeProvider.System);
        await target.EnsureReachableAsync(cancellationToken);
        var result = await RunWithProgressAsync(new ReplayRunner(target, replay), dataset, steps, $"to {client.BaseAddress}", cancellationToken);
        if (target.ThrottledRetries > 0)
        {
            await error.WriteLineAsync(Invariant($"{target.ThrottledRetries} requests were throttled (429) and sent again after the wait the service asked for."));
        }

        return result;
    }

    private static async Task<ReplayResult> RunWithProgressAsync(ReplayRunner runner, string dataset, IReadOnlyList<ReplayStep> steps,
        string where, CancellationToken cancellationToken)
    {
        ReplayResult? result = null;
        var cases = steps.Count(s => s.Kind == ReplayStepKind.Case);
        await CliProgress.RunAsync(Invariant($"replaying {cases} cases ({steps.Count} requests) {where}"), steps.Count, async progress =>
            result = await runner.RunAsync(dataset, steps, progress, cancellationToken));
        return result!;
    }

    private static object ToJson(ReplayResult result, string? url) => new
    {
        dataset = result.Dataset,
        mode = url is null ? "in-process" : "http",
        url,
        k = result.Settings.K,
        window = result.Settings.Window,
        model_versions = result.ModelVersions,
        cases = result.Cases.Count,
        sessions = result.Sessions,
        requests = result.Requests.Values.Sum(),
        between_requests = result.Requests[ReplayStepKind.Between],
        closing_requests = result.Requests[ReplayStepKind.Closing],
        non_2xx = result.NonSuccess,
        unanswered_cases = result.UnansweredCases,
        statuses = result.Statuses.ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value, StringComparer.Ordinal),
        problems = result.Problems.ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value, StringComparer.Ordinal),
        truncated_histories = result.TruncatedHistories,
        final = Scores(result.Final.Overall),
        by_history = result.Final.ByHistory.ToDictionary(b => b.Key, b => Scores(b.Value), StringComparer.Ordinal),
        windows = result.Windows.Select(w => new
        {
            from = w.From,
            to = w.To,
            top1 = Round(w.Scores.Top1),
            top3 = Round(w.Scores.Top3),
            mrr = Round(w.Scores.Mrr),
        }),
    };

    private static object Scores(RankingScores s) => new
    {
        cases = s.Count,
        top1 = Round(s.Top1),
        top3 = Round(s.Top3),
        mrr = Round(s.Mrr),
    };

    private static double Round(double value) => Math.Round(value, 4);

    private static void Write(ReplayResult result, string? url, IAnsiConsole console)
    {
        var where = url is null ? "in process" : $"over HTTP to {url}";
        var models = result.ModelVersions.Count == 0 ? "no answer" : string.Join(", ", result.ModelVersions);
        console.WriteLine(Invariant($"{result.Dataset}: {result.Cases.Count} cases in {result.Sessions} sessions, replayed {where} (k {result.Settings.K}, ranker {models})"));
        console.WriteLine();
        console.WriteLine(Invariant($"Learning curve: {result.Settings.Window} cases a row, in replay order"));
        var curve = new Table().AddColumns("cases", "top1", "top3", Invariant($"mrr@{result.Settings.K}"));
        foreach (var w in result.Windows)
        {
            AddRow(curve, Invariant($"{w.From}-{w.To}"), F(w.Scores.Top1), F(w.Scores.Top3), F(w.Scores.Mrr));
        }

        console.Write(curve);
        console.WriteLine();
        var final = result.Final.Overall;
        var summary = new Grid().AddColumn().AddColumn();
        AddRow(summary, "final", Invariant($"top1 {F(final.Top1)}  top3 {F(final.Top3)}  mrr@{result.Settings.K} {F(final.Mrr)}  ({final.Count} cases)"));
        foreach (var (bucket, scores) in result.Final.ByHistory)
        {
            AddRow(summary, $"history {bucket}", Invariant($"top1 {F(scores.Top1)}  top3 {F(scores.Top3)}  mrr@{result.Settings.K} {F(scores.Mrr)}  ({scores.Count} cases)"));
        }

        var requests = result.Requests;
        AddRow(summary, "requests", Invariant($"{requests.Values.Sum()}: {requests[ReplayStepKind.Case]} cases, {requests[ReplayStepKind.Between]} for calls between cases, {requests[ReplayStepKind.Closing]} closing sessions"));
        AddRow(summary, "non-2xx", Invariant($"{result.NonSuccess} ({result.UnansweredCases} of them cases, scored as misses)"));
        foreach (var (status, problem) in result.Problems)
        {
            AddRow(summary, Invariant($"  {status} ×{result.Statuses[status]}"), problem);
        }

        AddRow(summary, "truncated histories", Invariant($"{result.TruncatedHistories} (longer than {result.Settings.MaxEvents} events)"));
        console.Write(summary);
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static Task WriteCasesAsync(FileInfo file, ReplayResult result, CancellationToken cancellationToken) =>
        EvalCommand.WriteJsonLinesAsync(file, result.Cases.Select(replayed => new
        {
            session = replayed.Session.SessionId,
            task = replayed.Case.TaskId,
            spec = replayed.Case.Spec.Name,
            prompt = replayed.Case.Prompt,
            history = replayed.Case.History.Select(h => h.Endpoint),
            expected = replayed.Case.Expected,
            status = replayed.Answer.Status,
            rank = RankingMetrics.RankOf(replayed.Answer.Endpoints, replayed.Case.Expected),
            answer = replayed.Answer.Endpoints,
        }), cancellationToken);
}
