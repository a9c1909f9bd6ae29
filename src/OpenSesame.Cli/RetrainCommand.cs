using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Storage;
using OpenSesame.Training;
using OpenSesame.Training.Retraining;
using Spectre.Console;
using static OpenSesame.Cli.CliTables;

namespace OpenSesame.Cli;

/// <summary>
/// <c>opensesame retrain [train's options] [--real-group-weight 4] [--holdout-share 0.2] [--margin 0.01] ... [--watch]</c>:
/// trains a candidate on the synthetic corpus plus the logged outcomes, judges it against the serving model on the
/// newest held-out outcomes and the synthetic suite, and promotes it only if it is not worse by the margin. Once, it
/// exits 0 when promoted, 3 when the gate refused (the candidate is saved but not current), 1 when the run failed and
/// 2 for bad input. With <c>--watch</c> it is the worker: it runs what <c>POST /admin/retrain</c>, the schedule and new
/// outcomes ask for, until stopped.
/// </summary>
internal static class RetrainCommand
{
    /// <summary>The exit code of a run whose candidate the gate refused.</summary>
    public const int Refused = 3;

    /// <param name="startHost">Starts the services (storage, model store, clock); the CLI's own by default.</param>
    public static Command Create(Func<CancellationToken, Task<StartedHost>>? startHost = null)
    {
        var arguments = new TrainingArguments();
        var weight = new Option<double?>("--real-group-weight") { Description = "Weight of each logged outcome's group against a synthetic group's 1 (default Learning:RealGroupWeight, 4)." };
        var maxGroups = new Option<int?>("--max-real-groups") { Description = "Most logged groups to train on, the newest (default Learning:MaxRealGroups, 20000)." };
        var holdoutShare = new Option<double?>("--holdout-share") { Description = "Newest share of the logged outcomes held out to judge on (default Learning:HoldoutShare, 0.2)." };
        var holdoutAfter = new Option<DateTimeOffset?>("--holdout-after") { Description = "Hold out the outcomes predicted after this time instead (ISO 8601)." };
        var minHoldout = new Option<int?>("--min-holdout") { Description = "Fewest held-out outcomes to judge on; with fewer, the synthetic suite alone decides (default Learning:MinHoldoutGroups, 50)." };
        var margin = new Option<double?>("--margin") { Description = "How much lower the candidate's top-3 may be and still be promoted (default Learning:PromotionMargin, 0.01)." };
        var watch = new Option<bool>("--watch") { Description = "Be the worker: run what POST /admin/retrain, Learning:RetrainInterval and Learning:RetrainAfterGroups ask for, every Learning:PollInterval, until stopped." };

        var command = new Command("retrain", "Retrain the ranker from the logged outcomes and promote it only if it is not worse "
                                             + "than the serving model (exit 0 promoted, 3 refused, 1 failed, 2 bad input).")
        {
            weight, maxGroups, holdoutShare, holdoutAfter, minHoldout, margin, watch,
        };
        foreach (var option in arguments.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (arguments.Problem(parse) is { } problem)
            {
                await error.WriteLineAsync(problem);
                return 2;
            }

            await using var host = await (startHost?.Invoke(cancellationToken) ?? CliHost.StartAsync(cancellationToken: cancellationToken));
            var configured = host.Get<IOptions<LearningOptions>>().Value;
            var learning = new LearningOptions
            {
                RealGroupWeight = parse.GetValue(weight) ?? configured.RealGroupWeight,
                MaxRealGroups = parse.GetValue(maxGroups) ?? configured.MaxRealGroups,
                HoldoutShare = parse.GetValue(holdoutShare) ?? configured.HoldoutShare,
                HoldoutAfter = parse.GetValue(holdoutAfter) ?? configured.HoldoutAfter,
                MinHoldoutGroups = parse.GetValue(minHoldout) ?? configured.MinHoldoutGroups,
                PromotionMargin = parse.GetValue(margin) ?? configured.PromotionMargin,
                RetrainInterval = configured.RetrainInterval,
                RetrainAfterGroups = configured.RetrainAfterGroups,
                PollInterval = configured.PollInterval,
                ClaimTimeout = configured.ClaimTimeout,
            };
            if (learning.Problem() is { } invalid)
            {
                await error.WriteLineAsync(invalid + " (from the command line or configuration)");
                return 2;
            }

            var file = arguments.DataFile(parse, host.Get<IOptions<StorageOptions>>().Value);
            if (!File.Exists(file))
            {
                await error.WriteLineAsync($"{file} does not exist; run 'opensesame generate' first or pass --data.");
                return 2;
            }

            var time = host.Get<TimeProvider>();
            var store = host.Get<RankerModelStore>();
            var shipped = host.Get<IOptions<RankingOptions>>().Value.DefaultModelDirectory is { Length: > 0 } directory
                ? new RankerModelStore(directory)
                : null;
            var progress = new CliProgress.SynchronousProgress<string>(line => error.WriteLine(line));
            var training = arguments.Options(parse, host.Get<IOptions<PredictionOptions>>().Value);
            var retrainer = new Retrainer(training, learning, host.Get<IOutcomeReader>(), store, shipped, time);
            var requests = host.Get<IRetrainRequests>();
            var worker = $"{Environment.MachineName}:{Environment.ProcessId}";
            var runs = new RetrainWorker(requests, host.Get<IOutcomeReader>(), retrainer, file, learning, time, worker,
                report => Write(report, store, ConsoleFor(output)));

            if (parse.GetValue(watch))
            {
                await error.WriteLineAsync(Invariant(
                    $"{worker} watching for retraining requests every {learning.PollInterval.TotalSeconds:0.#} s (schedule: {(learning.RetrainInterval is { } every ? $"every {every}" : "off")}; after {(learning.RetrainAfterGroups > 0 ? Count(learning.RetrainAfterGroups) + " new labelled outcomes" : "no count of outcomes")}); Ctrl+C stops"));
                try
                {
                    await runs.WatchAsync(progress, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    await error.WriteLineAsync("stopped");
                }

                return 0;
            }

            var now = time.GetUtcNow();
            var claimed = await requests.ClaimNewAsync(RetrainTrigger.Command, Environment.UserName is { Length: > 0 } user ? user : "cli",
                worker, now, now - learning.ClaimTimeout, onlyIfIdle: false, cancellationToken);
            var finished = await runs.RunAsync(claimed!, progress, cancellationToken);
            switch (finished.State)
            {
                case RetrainState.Promoted:
                    return 0;
                case RetrainState.Refused:
                    return Refused;
                default:
                    await error.WriteLineAsync($"retraining {finished.Id} failed: {finished.Message}");
                    return 1;
            }
        });
        return command;
    }

    /// <summary>Both models' numbers side by side, then the decision and why.</summary>
    private static void Write(RetrainReport report, RankerModelStore store, IAnsiConsole console)
    {
        console.WriteLine($"serving: {report.Serving ?? "(none)"}; candidate: {report.Candidate.Version}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("measured on").AddColumn(new TableColumn("groups").RightAligned());
        foreach (var who in new[] { "serving", "candidate" })
        {
            table.AddColumn(new TableColumn($"{who}\ntop-1").RightAligned())
                .AddColumn(new TableColumn("\ntop-3").RightAligned())
                .AddColumn(new TableColumn("\nMRR").RightAligned());
        }

        table.AddColumn(new TableColumn("\nΔ top-3").RightAligned());
        var heldOut = report.Judged.Count > 0
            ? Invariant($"held-out outcomes, predicted {report.Judged[0].At:yyyy-MM-dd HH:mm} to {report.Judged[^1].At:yyyy-MM-dd HH:mm}")
            : "held-out outcomes (none)";
        Row(table, heldOut, report.ServingPrequential, report.CandidatePrequential, report.Judged.Count);
        var (candidate, baseline) = (report.CandidateSuite, report.ServingSuite);
        Row(table, "synthetic: calibration domains (the gate's)", baseline?.Calibration, candidate.Calibration);
        Row(table, "synthetic: with learned usage", baseline?.WithUsage, candidate.WithUsage);
        Row(table, "synthetic: with a simulated LLM answer", baseline?.WithSimulatedLlm, candidate.WithSimulatedLlm);
        Row(table, "recorded traffic: validation clients", baseline?.TrafficValidation, candidate.TrafficValidation);
        Row(table, "recorded traffic: with written prompts", baseline?.TrafficValidationWithWrittenPrompts, candidate.TrafficValidationWithWrittenPrompts);
        console.Write(table);

        var real = report.Outcomes;
        console.WriteLine(Invariant(
            $"trained on {Count(real.Groups)} logged outcomes (weight {real.Weight:0.###}, {Count(real.Capped)} older left out by the cap), held out {Count(real.HoldoutGroups)}; skipped {Count(real.OtherFeatureList)} of another feature list, {Count(real.Ignored)} ignored; {Count(real.WithoutPositive)} chose a call the log does not hold"));
        if (report.ServingProblem is { } why)
        {
            console.WriteLine($"not compared with a serving model: {why}");
        }

        console.WriteLine($"{(report.Decision.Promote ? "promoted" : "refused")}: {report.Candidate.Version}");
        foreach (var reason in report.Decision.Reasons)
        {
            console.WriteLine($"  {reason}");
        }

        console.WriteLine(report.Decision.Promote
            ? $"current is now {report.Candidate.Version} in {store.Directory}; a running service swaps it in at its next reload"
            : $"saved unpromoted in {Path.Combine(store.Directory, report.Candidate.Version)}; current stays {store.CurrentVersion() ?? "(none)"}");
    }

    private static void Row(Table table, string label, RankerMetrics? serving, RankerMetrics? candidate, int? groups = null)
    {
        if (serving is null && candidate is null)
        {
            return;
        }

        AddRow(table,
        [
            label, Count(groups ?? candidate?.Groups ?? serving!.Groups), .. Numbers(serving), .. Numbers(candidate),
            serving is null || candidate is null ? "" : Invariant($"{candidate.Top3 - serving.Top3:+0.000;-0.000;0.000}"),
        ]);

        static string[] Numbers(RankerMetrics? m) =>
            m is null ? ["", "", ""] : [Invariant($"{m.Top1:0.000}"), Invariant($"{m.Top3:0.000}"), Invariant($"{m.Mrr:0.000}")];
    }
}
