using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Ranking;
using Spectre.Console;

using static OpenSesame.Cli.CliTables;

namespace OpenSesame.Cli;

/// <summary>
/// <c>opensesame models [--json]</c>: the versions in the model store with what they were trained on, their synthetic
/// metrics, what retraining last measured of them on held-out outcomes, and which is current and which served before
/// it. <c>opensesame models rollback [--to VERSION]</c> points <c>current</c> back (by default at what the current
/// version replaced) and records it in the history; a running service picks it up at its next reload.
/// </summary>
internal static class ModelsCommand
{
    private static readonly JsonSerializerOptions Json = new(RankerModel.Json) { WriteIndented = true };

    /// <param name="startHost">Starts the services (the configured model store); the CLI's own by default.</param>
    public static Command Create(Func<CancellationToken, Task<StartedHost>>? startHost = null)
    {
        var json = new Option<bool>("--json") { Description = "Print the listing as JSON." };
        var to = new Option<string?>("--to") { Description = "The version to make current (default: the one the current version replaced)." };
        var rollback = new Command("rollback", "Point current back at the version served before it (or at --to VERSION); a running "
                                               + "service swaps it in at its next reload.") { to };
        var command = new Command("models", "List the ranker model versions: what each was trained on, its metrics, which is "
                                            + "current and which served before it.") { json, rollback };

        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await (startHost?.Invoke(cancellationToken) ?? CliHost.StartAsync(cancellationToken: cancellationToken));
            var listing = List(host.Get<RankerModelStore>());
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(listing, Json));
                return 0;
            }

            Write(listing, ConsoleFor(output));
            return 0;
        });

        rollback.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await (startHost?.Invoke(cancellationToken) ?? CliHost.StartAsync(cancellationToken: cancellationToken));
            var store = host.Get<RankerModelStore>();
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var current = store.CurrentVersion();
            string? target;
            if (parse.GetValue(to) is { } named)
            {
                target = named;
            }
            else if (current is null)
            {
                await error.WriteLineAsync($"Nothing is current in {store.Directory}: the model shipped with the service (or the heuristic) serves already.");
                return 2;
            }
            else if (store.PreviousOf(current) is (var previous, true))
            {
                target = previous;
            }
            else
            {
                await error.WriteLineAsync($"The history in {store.Directory} does not say what served before {current}; name a version with --to ('opensesame models' lists them).");
                return 2;
            }

            ModelPromotion? change;
            try
            {
                change = store.Promote(target, RankerModelStore.RollbackReason);
            }
            catch (InvalidDataException ex)
            {
                await error.WriteLineAsync(ex.Message);
                return 2;
            }

            var reload = host.Get<IOptions<RankingOptions>>().Value.ReloadInterval;
            await output.WriteLineAsync(change is null
                ? $"{target} is current already."
                : target is null
                    ? $"current {current} removed: the model shipped with the service serves again (the heuristic when none ships), within {reload} in a running service."
                    : $"current: {current ?? "(none)"} -> {target}; a running service swaps it in within {reload}.");
            return 0;
        });
        return command;
    }

    /// <summary>Every saved version, oldest first, with the marks and the newest evaluation of each.</summary>
    internal static ModelListing List(RankerModelStore store)
    {
        var current = store.CurrentVersion();
        var previous = current is null ? null : store.PreviousOf(current).Version;
        var evaluations = store.Evaluations();
        var models = store.Versions()
            .Select(version => (Version: version, Info: store.ReadInfo(version)))
            .OrderBy(m => m.Info?.CreatedAt ?? DateTimeOffset.MinValue).ThenBy(m => m.Version, StringComparer.Ordinal)
            .Select(m => new ModelEntry(m.Version, m.Version == current, m.Version == previous, m.Info?.CreatedAt, m.Info?.DataFile,
                m.Info?.Sessions, m.Info?.Groups, m.Info?.RealOutcomes, m.Info?.Calibration, m.Info?.TrafficValidation,
                evaluations.LastOrDefault(e => e.Version == m.Version)))
            .ToList();
        return new ModelListing(store.Directory, current, previous, models, store.History());
    }

    private static void Write(ModelListing listing, IAnsiConsole console)
    {
        if (listing.Models.Count == 0)
        {
            console.WriteLine($"No model versions in {listing.Directory}: 'opensesame train' or 'opensesame retrain' makes one.");
            return;
        }

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("").AddColumn("version").AddColumn("created (UTC)").AddColumn("trained on")
            .AddColumn(new TableColumn("synthetic\ntop-3").RightAligned())
            .AddColumn(new TableColumn("traffic\ntop-3").RightAligned())
            .AddColumn(new TableColumn("held-out\ntop-3").RightAligned())
            .AddColumn(new TableColumn("held-out\noutcomes").RightAligned())
            .AddColumn("last judged in");
        foreach (var model in listing.Models)
        {
            var evaluation = model.Evaluation;
            AddRow(table,
                model.Current ? "current" : model.Previous ? "previous" : "",
                model.Version,
                model.CreatedAt is { } created ? Invariant($"{created:yyyy-MM-dd HH:mm}") : "?",
                TrainedOn(model),
                Top3(model.Calibration),
                Top3(model.TrafficValidation),
                Top3(evaluation?.Prequential),
                evaluation is null ? "" : Count(evaluation.HoldoutGroups),
                evaluation is null ? "" : $"{evaluation.Request} (as {evaluation.Role})");
        }

        console.Write(table);
        console.WriteLine(listing.Current is null
            ? $"Nothing is current in {listing.Directory}: the model shipped with the service (or the heuristic) serves."
            : $"{listing.Current} is current (history of current: {Path.Combine(listing.Directory, RankerModelStore.HistoryFile)}, {Count(listing.History.Count)} lines); 'opensesame models rollback' goes back to {listing.Previous ?? "the shipped model"}.");

        static string Top3(RankerMetrics? metrics) => metrics is null ? "" : Invariant($"{metrics.Top3:0.000}");

        static string TrainedOn(ModelEntry model) =>
            (model.Sessions is { } sessions ? $"{Count(sessions)} sessions ({model.DataFile})" : "?")
            + (model.RealOutcomes is { Groups: > 0 } real ? Invariant($" + {Count(real.Groups)} outcomes x{real.Weight:0.###}") : "");
    }
}

/// <summary>What <c>opensesame models --json</c> prints.</summary>
/// <param name="Previous">What the current version replaced: the default target of a rollback.</param>
internal sealed record ModelListing(string Directory, string? Current, string? Previous, IReadOnlyList<ModelEntry> Models,
    IReadOnlyList<ModelPromotion> History);

/// <summary>One saved version.</summary>
/// <param name="Calibration">Measured when it was trained, on the synthetic calibration domains.</param>
/// <param name="TrafficValidation">Measured when it was trained, on the recorded traffic's validation clients.</param>
/// <param name="Evaluation">What the newest retraining measured of it, on held-out outcomes.</param>
internal sealed record ModelEntry(
    string Version,
    bool Current,
    bool Previous,
    DateTimeOffset? CreatedAt,
    string? DataFile,
    int? Sessions,
    int? Groups,
    RealOutcomeSummary? RealOutcomes,
    RankerMetrics? Calibration,
    RankerMetrics? TrafficValidation,
    ModelEvaluation? Evaluation);
