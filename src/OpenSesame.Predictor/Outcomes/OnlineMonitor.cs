using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Telemetry;

namespace OpenSesame.Predictor.Outcomes;

/// <summary>
/// Reads the outcome log every <see cref="DriftOptions.Interval"/> and measures how the served suggestions do:
/// online top-1/top-3/MRR per model version (the variants of an A/B comparison) and per spec over the recent window,
/// against the window before it, and the population stability index of each feature of the first suggestion
/// between the two windows. A spec whose top-3 fell by <see cref="DriftOptions.Top3Drop"/> or a feature that shifted
/// past <see cref="DriftOptions.PsiAlert"/> is an alert: logged, counted on <c>opensesame.drift.alerts</c>, and listed
/// in <c>GET /admin/drift</c>. The log is shared storage, so every instance measures the same outcomes.
/// </summary>
public sealed partial class OnlineMonitor(
    IOutcomeReader reader,
    IOptions<DriftOptions> options,
    IOptions<OutcomeOptions> outcomes,
    IMeterFactory meters,
    TimeProvider time,
    ILogger<OnlineMonitor> logger) : BackgroundService
{
    private readonly Lazy<Instruments> _instruments = new(() => new Instruments(meters));
    private volatile OnlineReport? _latest;

    /// <summary>The last round's measures; null before the first round (or when monitoring is off).</summary>
    public OnlineReport? Latest => _latest;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !outcomes.Value.Enabled)
        {
            return;
        }

        _ = _instruments.Value.Observe(() => _latest);
        // The first round after one interval: a short-lived host (a CLI command) never pays for reading the log.
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await MeasureAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    /// <summary>One round: reads the two windows of the log (nothing older) and replaces <see cref="Latest"/>.</summary>
    public async Task<OnlineReport> MeasureAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var recentFrom = now - settings.Window;
        var baselineFrom = recentFrom - settings.Window;
        var recent = new List<LoggedOutcome>();
        var baseline = new List<LoggedOutcome>();
        await foreach (var logged in reader.ReadOutcomesAsync(baselineFrom, cancellationToken))
        {
            var at = logged.Prediction.At;
            (at >= recentFrom ? recent : baseline).Add(logged);
        }

        var variants = recent.GroupBy(o => o.Prediction.ModelVersion, StringComparer.Ordinal)
            .Select(g => new VariantQuality(g.Key, Quality(g)))
            .OrderBy(v => v.ModelVersion, StringComparer.Ordinal)
            .ToList();
        var baselineBySpec = baseline.ToLookup(o => o.Prediction.SpecHash, StringComparer.Ordinal);
        var specs = recent.GroupBy(o => o.Prediction.SpecHash, StringComparer.Ordinal)
            .Select(g =>
            {
                var latest = Quality(g);
                var before = Quality(baselineBySpec[g.Key]);
                var enough = latest.Outcomes >= settings.MinOutcomes && before.Outcomes >= settings.MinOutcomes;
                return new SpecQuality(g.Key, latest, before, enough && before.Top3 - latest.Top3 >= settings.Top3Drop);
            })
            .OrderByDescending(s => s.Recent.Outcomes).ThenBy(s => s.SpecHash, StringComparer.Ordinal)
            .ToList();
        var features = FeatureShifts(baseline, recent, settings);
        var report = new OnlineReport(now, settings.Window, variants, specs, features);
        foreach (var spec in specs.Where(s => s.Alert))
        {
            LogTop3Drop(logger, spec.SpecHash, spec.Baseline.Top3, spec.Recent.Top3);
            _instruments.Value.Alerts.Add(1, new KeyValuePair<string, object?>("kind", "top3"));
        }

        foreach (var feature in features.Where(f => f.Alert))
        {
            LogShift(logger, feature.Feature, feature.Psi);
            _instruments.Value.Alerts.Add(1, new KeyValuePair<string, object?>("kind", "psi"));
        }

        _latest = report;
        return report;
    }

    private static OnlineQuality Quality(IEnumerable<LoggedOutcome> outcomes) =>
        DriftMeasures.Quality([.. outcomes.Select(o => o.Outcome.Rank)]);

    // The first suggestion's features: what the service put forward, comparable across predictions of any pool size.
    // Vectors of another feature list (before a model of other features) are left out.
    private static List<FeatureShift> FeatureShifts(List<LoggedOutcome> baseline, List<LoggedOutcome> recent, DriftOptions settings)
    {
        static List<float[]> Firsts(List<LoggedOutcome> outcomes) =>
            [.. outcomes.Select(o => o.Prediction.Candidates is [var first, ..] ? first.Features : null).OfType<float[]>().Where(f => f.Length == FeatureSchema.Count)];
        var (before, now) = (Firsts(baseline), Firsts(recent));
        if (before.Count < settings.MinOutcomes || now.Count < settings.MinOutcomes)
        {
            return [];
        }

        return [.. FeatureSchema.All.Select((feature, i) =>
            {
                var psi = DriftMeasures.PopulationStability([.. before.Select(v => v[i])], [.. now.Select(v => v[i])]);
                return new FeatureShift(feature.Name, Math.Round(psi, 4), psi > settings.PsiAlert);
            })
            .OrderByDescending(f => f.Psi)];
    }

    private sealed class Instruments
    {
        private readonly Meter _meter;

        public Instruments(IMeterFactory meters)
        {
            _meter = meters.Create(PredictorTelemetry.Name);
            Alerts = _meter.CreateCounter<long>("opensesame.drift.alerts", "{alert}",
                "Drift alerts raised; tag: kind (top3: a spec's online top-3 fell; psi: a feature's distribution shifted).");
        }

        public Counter<long> Alerts { get; }

        public Instruments Observe(Func<OnlineReport?> latest)
        {
            _meter.CreateObservableGauge("opensesame.online.top3", () => latest()?.Variants
                    .Select(v => new Measurement<double>(v.Recent.Top3, new KeyValuePair<string, object?>("model", v.ModelVersion))) ?? [],
                description: "Online top-3 of the recent window's outcomes, per model version (the variants of an A/B comparison).");
            _meter.CreateObservableGauge("opensesame.drift.psi", () => latest()?.Features
                    .Select(f => new Measurement<double>(f.Psi, new KeyValuePair<string, object?>("feature", f.Feature))) ?? [],
                description: "Population stability index of each feature of the first suggestion, recent window against the one before.");
            return this;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Online top-3 of spec {SpecHash} fell from {Baseline:F3} to {Recent:F3} between the last two windows.")]
    private static partial void LogTop3Drop(ILogger logger, string specHash, double baseline, double recent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feature {Feature} shifted between the last two windows (population stability index {Psi:F3}).")]
    private static partial void LogShift(ILogger logger, string feature, double psi);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Measuring online quality and drift failed; trying again at the next round.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>One round of <see cref="OnlineMonitor"/>: the recent <paramref name="Window"/> up to <paramref name="At"/>.</summary>
public sealed record OnlineReport(
    DateTimeOffset At,
    TimeSpan Window,
    IReadOnlyList<VariantQuality> Variants,
    IReadOnlyList<SpecQuality> Specs,
    IReadOnlyList<FeatureShift> Features);

/// <summary>How the suggestions of one model version did in the recent window.</summary>
public sealed record VariantQuality(string ModelVersion, OnlineQuality Recent);

/// <summary>How the suggestions on one spec did in the recent window and the one before; <paramref name="Alert"/> when
/// both have enough outcomes and top-3 fell by the threshold.</summary>
public sealed record SpecQuality(string SpecHash, OnlineQuality Recent, OnlineQuality Baseline, bool Alert);

/// <summary>How far one feature's distribution moved between the two windows.</summary>
public sealed record FeatureShift(string Feature, double Psi, bool Alert);
