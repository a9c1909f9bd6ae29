using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Outcomes;

namespace OpenSesame.Predictor.Tests.Outcomes;

/// <summary>Online quality per variant and per spec, and feature drift, measured from a real outcome log.</summary>
public sealed class OnlineMonitorTests
{
    private const string Endpoint = "GET /v1/invoices";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly OutcomeBounds Unbounded = new(DateTimeOffset.MinValue, int.MaxValue);

    private async Task LogAsync(IOutcomeStore store, string id, TimeSpan ago, string model, int? rank, float firstFeature)
    {
        var features = new float[FeatureSchema.Count];
        features[FeatureSchema.Lexical] = firstFeature;
        var at = _time.GetUtcNow() - ago;
        await store.SaveServedAsync(new ServedPrediction(id, at, "u", "s", "spec", model, 1, "h", 3,
            [new ServedCandidate(Endpoint, 0.5, features)]), Unbounded, Cancel);
        await store.RecordOutcomeAsync(new RecordedOutcome(id, rank is null ? OutcomeKind.Overridden : OutcomeKind.Accepted,
            OutcomeSource.Explicit, rank is null ? "GET /v1/other" : Endpoint, rank, at), Cancel);
    }

    [Fact]
    public async Task AFallingTop3AndAShiftedFeatureAreAlertsAndEachVariantIsMeasuredApart()
    {
        using var predictor = new TestPredictor(time: _time);
        var store = predictor.Get<IOutcomeStore>();
        for (var i = 0; i < 60; i++)
        {
            await LogAsync(store, $"old-{i}", TimeSpan.FromHours(36), "ltr-a", 1, firstFeature: 0.1f * (i % 3));
            await LogAsync(store, $"a-{i}", TimeSpan.FromHours(12), "ltr-a", i % 2 == 0 ? 1 : null, firstFeature: 5 + (i % 3));
            await LogAsync(store, $"b-{i}", TimeSpan.FromHours(12), "ltr-b", 2, firstFeature: 5 + (i % 3));
        }

        await LogAsync(store, "too-old", TimeSpan.FromDays(3), "ltr-old", 1, firstFeature: 0);

        var report = await predictor.Get<OnlineMonitor>().MeasureAsync(Cancel);

        Assert.Equal(
            [new VariantQuality("ltr-a", new OnlineQuality(60, 0.5, 0.5, 0.5)), new VariantQuality("ltr-b", new OnlineQuality(60, 0, 1, 0.5))],
            report.Variants);
        var spec = Assert.Single(report.Specs);
        Assert.Equal((120, 0.75, 60, 1.0, true), (spec.Recent.Outcomes, spec.Recent.Top3, spec.Baseline.Outcomes, spec.Baseline.Top3, spec.Alert));
        var shifted = report.Features[0];
        Assert.Equal(("lexical", true), (shifted.Feature, shifted.Alert));
        Assert.All(report.Features.Skip(1), f => Assert.Equal((0.0, false), (f.Psi, f.Alert)));
        Assert.Same(report, predictor.Get<OnlineMonitor>().Latest);
    }

    [Fact]
    public async Task TooFewOutcomesAreNoAlert()
    {
        using var predictor = new TestPredictor(time: _time);
        var store = predictor.Get<IOutcomeStore>();
        for (var i = 0; i < 10; i++)
        {
            await LogAsync(store, $"old-{i}", TimeSpan.FromHours(36), "ltr-a", 1, firstFeature: 0);
            await LogAsync(store, $"new-{i}", TimeSpan.FromHours(12), "ltr-a", null, firstFeature: 9);
        }

        var report = await predictor.Get<OnlineMonitor>().MeasureAsync(Cancel);

        Assert.False(Assert.Single(report.Specs).Alert);
        Assert.Empty(report.Features);
    }
}
