using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Tests.Outcomes;

/// <summary>Logging what predictions served and learning their outcomes from the session's next request, on the real
/// pipeline and a real SQLite file.</summary>
public sealed class OutcomeRecorderTests
{
    private const string List = "GET /v1/invoices";
    private const string Detail = "GET /v1/invoices/{invoice}";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static TestPredictor NewPredictor(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null) =>
        new(settings, configure: configure);

    private static IOutcomeStore Store(TestPredictor predictor) => predictor.Get<IOutcomeStore>();

    private static async Task<PredictResponse> PredictAsync(TestPredictor predictor, string? session, params string[] calls)
    {
        var request = TestPredictor.Request(TestSpecs.BillingPath, null, 3, [.. calls.Select(Event)]);
        request.SessionId = session;
        return await predictor.Service.PredictAsync(request, Cancel) switch
        {
            PredictionOutcome.Answered answered => answered.Response,
            var other => throw new InvalidOperationException($"The service did not answer: {other}"),
        };
    }

    private static Context.HistoryEvent Event(string endpoint)
    {
        var (method, path) = Context.HistoryEvent.ParseEndpoint(endpoint)!.Value;
        return new Context.HistoryEvent(null, method, path, Context.HistoryEvent.NoParams);
    }

    [Fact]
    public async Task APredictionIsLoggedWithTheCandidatesItShowedFirstAndTheirFeatureVectors()
    {
        using var predictor = NewPredictor();

        var response = await PredictAsync(predictor, "s-1", List);
        var served = await Store(predictor).FindServedAsync(response.PredictionId, Cancel);

        Assert.NotNull(served);
        Assert.Equal(response.Predictions.Count, served.Served);
        Assert.Equal(response.Predictions.Select(p => p.Endpoint), served.Candidates.Take(served.Served).Select(c => c.Endpoint));
        Assert.Equal(response.Predictions.Select(p => p.Score), served.Candidates.Take(served.Served).Select(c => Math.Round(c.Score, 4)));
        Assert.InRange(served.Candidates.Count, served.Served + 1, new OutcomeOptions().CandidatesPerPrediction);
        Assert.All(served.Candidates, c => Assert.Equal(FeatureSchema.Count, c.Features.Length));
        Assert.Equal(FeatureFingerprint.Current, served.FeatureList);
        Assert.Equal((response.ModelVersion, 1, "u-1", "s-1"), (served.ModelVersion, served.HistoryLength, served.UserId, served.SessionId));
    }

    [Fact]
    public async Task TheSessionsNextRequestTellsWhatWasCalledAfterItsPreviousPrediction()
    {
        using var predictor = NewPredictor();
        var first = await PredictAsync(predictor, "s-1", List);

        var second = await PredictAsync(predictor, "s-1", List, "GET /v1/invoices/in_1");

        var outcome = await Store(predictor).FindOutcomeAsync(first.PredictionId, Cancel);
        var rank = first.Predictions.Select(p => p.Endpoint).ToList().IndexOf(Detail) is var i and >= 0 ? i + 1 : (int?)null;
        Assert.NotNull(outcome);
        Assert.Equal((OutcomeSource.Implicit, Detail, rank, rank is null ? OutcomeKind.Overridden : OutcomeKind.Accepted),
            (outcome.Source, outcome.Chosen, outcome.Rank, outcome.Kind));
        Assert.Null(await Store(predictor).FindOutcomeAsync(second.PredictionId, Cancel));
    }

    [Fact]
    public async Task ACallThroughAnAliasOfASpecPathIsTheOperationItAliases()
    {
        using var predictor = NewPredictor();
        var first = await PredictAsync(predictor, "s-1", List);

        await PredictAsync(predictor, "s-1", List, "GET /v1/invoice/in_1");

        var outcome = await Store(predictor).FindOutcomeAsync(first.PredictionId, Cancel);
        Assert.Equal(Detail, outcome?.Chosen);
    }

    // Two instances behind a balancer share the store: the session's next request may reach the other one.
    [Fact]
    public async Task AnotherInstanceOnTheSameStoreJoinsTheNextRequestToThePredictionTheFirstOneServed()
    {
        using var folder = new TempFolder();
        var shared = new Dictionary<string, string?> { ["Storage:DataDirectory"] = folder.Root };
        using var first = NewPredictor(shared);
        using var second = NewPredictor(shared);
        var served = await PredictAsync(first, "s-1", List);

        await PredictAsync(second, "s-1", List, "GET /v1/invoices/in_1");

        var seenByFirst = await Store(first).FindOutcomeAsync(served.PredictionId, Cancel);
        Assert.Equal((OutcomeSource.Implicit, Detail), (seenByFirst?.Source, seenByFirst?.Chosen));
    }

    [Fact]
    public async Task ACallOutsideTheSuggestionsIsAnOverride()
    {
        using var predictor = NewPredictor();
        var first = await PredictAsync(predictor, "s-1", List);
        var notSuggested = TestSpecs.Billing.Operations
            .First(o => o.Method == "GET" && first.Predictions.All(p => p.Endpoint != o.Key) && !o.Path.Template.Contains('{', StringComparison.Ordinal));

        await PredictAsync(predictor, "s-1", List, notSuggested.Key);

        var outcome = await Store(predictor).FindOutcomeAsync(first.PredictionId, Cancel);
        Assert.Equal((OutcomeKind.Overridden, notSuggested.Key, (int?)null), (outcome?.Kind, outcome?.Chosen, outcome?.Rank));
    }

    [Fact]
    public async Task AHistoryThatDoesNotContinueThePreviousOneTellsNothing()
    {
        using var predictor = NewPredictor();
        var first = await PredictAsync(predictor, "s-1", List, "GET /v1/invoices/in_1");

        await PredictAsync(predictor, "s-1", "GET /v1/invoices/in_1", "GET /v1/invoices");
        var resent = await PredictAsync(predictor, "s-1", "GET /v1/invoices/in_1", "GET /v1/invoices");
        await PredictAsync(predictor, "s-2", "GET /v1/invoices/in_1", "GET /v1/invoices", List);
        await PredictAsync(predictor, null, "GET /v1/invoices/in_1", "GET /v1/invoices", List);

        Assert.Null(await Store(predictor).FindOutcomeAsync(first.PredictionId, Cancel));
        Assert.Null(await Store(predictor).FindOutcomeAsync(resent.PredictionId, Cancel));
    }

    [Fact]
    public async Task OnlyTheNewestPredictionOfTheSessionIsJoined()
    {
        using var predictor = NewPredictor();
        var first = await PredictAsync(predictor, "s-1", List);
        var again = await PredictAsync(predictor, "s-1", List);

        await PredictAsync(predictor, "s-1", List, "GET /v1/invoices/in_1");

        Assert.Null(await Store(predictor).FindOutcomeAsync(first.PredictionId, Cancel));
        Assert.Equal(Detail, (await Store(predictor).FindOutcomeAsync(again.PredictionId, Cancel))?.Chosen);
    }

    [Fact]
    public async Task AnImplicitOutcomeNeverReplacesExplicitFeedback()
    {
        using var predictor = NewPredictor();
        var first = await PredictAsync(predictor, "s-1", List);
        var told = await predictor.Get<FeedbackService>().RecordAsync(new FeedbackRequest
        {
            PredictionId = first.PredictionId,
            Outcome = "ignored",
        }, Cancel);
        Assert.IsType<FeedbackResult.Stored>(told);

        await PredictAsync(predictor, "s-1", List, "GET /v1/invoices/in_1");

        var outcome = await Store(predictor).FindOutcomeAsync(first.PredictionId, Cancel);
        Assert.Equal((OutcomeKind.Ignored, OutcomeSource.Explicit, (string?)null), (outcome?.Kind, outcome?.Source, outcome?.Chosen));
    }

    [Fact]
    public async Task TurnedOffNothingIsLoggedAndWithoutImplicitOutcomesOnlyTheCandidatesAre()
    {
        using var off = NewPredictor(new() { ["Outcomes:Enabled"] = "false" });
        var response = await PredictAsync(off, "s-1", List);
        Assert.Null(await Store(off).FindServedAsync(response.PredictionId, Cancel));

        using var explicitOnly = NewPredictor(new() { ["Outcomes:ImplicitFromNextRequest"] = "false" });
        var first = await PredictAsync(explicitOnly, "s-1", List);
        await PredictAsync(explicitOnly, "s-1", List, "GET /v1/invoices/in_1");
        Assert.NotNull(await Store(explicitOnly).FindServedAsync(first.PredictionId, Cancel));
        Assert.Null(await Store(explicitOnly).FindOutcomeAsync(first.PredictionId, Cancel));
    }

    [Fact]
    public async Task AStoreThatFailsCostsTheOutcomesNotThePrediction()
    {
        using var predictor = NewPredictor(configure: s => s.AddSingleton<IOutcomeStore, BrokenStore>());

        await PredictAsync(predictor, "s-1", List);
        var response = await PredictAsync(predictor, "s-1", List, "GET /v1/invoices/in_1");

        Assert.NotEmpty(response.Predictions);
    }

    private sealed class BrokenStore : IOutcomeStore
    {
        public Task SaveServedAsync(ServedPrediction prediction, OutcomeBounds bounds, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task<ServedPrediction?> FindServedAsync(string predictionId, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task<ServedPrediction?> LatestOfSessionAsync(string? userId, string sessionId, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task<RecordedOutcome?> RecordOutcomeAsync(RecordedOutcome outcome, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task<RecordedOutcome?> FindOutcomeAsync(string predictionId, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task<int> TrimAsync(OutcomeBounds bounds, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);
    }
}
