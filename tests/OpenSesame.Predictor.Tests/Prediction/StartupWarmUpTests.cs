using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Guardrails.Destructive;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Predictor.Tests.Prediction;

public sealed class StartupWarmUpTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void TheWarmUpSpecIsAValidDocumentThatExercisesReferencesAndResponseSchemas()
    {
        var catalog = OpenApiCatalogParser.Parse(StartupWarmUp.Document);

        Assert.Equal(["GET /v1/orders", "POST /v1/orders", "DELETE /v1/orders/{order}/items/{item_id}"],
            catalog.Operations.Select(o => o.Key));
        Assert.NotEmpty(catalog.DataFlow.Produces(catalog.Operations[0]));
        Assert.All(StartupWarmUp.Body(new PredictionOptions()).Events!, e => Assert.Contains(e!.Endpoint, catalog.Operations.Select(o => o.Key)));
    }

    [Fact]
    public async Task TheWarmUpPredictsWithoutTheEncoderAndLeavesNothingInStorage()
    {
        using var predictor = new TestPredictor();
        var (warmUp, logger) = WarmUp(predictor);

        await warmUp.StartAsync(Cancel);

        Assert.Empty(logger.At(LogLevel.Warning));
        Assert.Single(logger.At(LogLevel.Debug), m => m.StartsWith("Warmed up", StringComparison.Ordinal));
        Assert.Equal(0, predictor.Get<SentenceEmbedder>().EncodedTexts);
        await using var connection = await predictor.Get<SqliteDatabase>().OpenAsync(Cancel);
        foreach (var table in (string[])["audit_log", "usage_ngrams", "served_predictions", "prediction_outcomes", "cost_ledger",
                     "spec_documents", "operation_embeddings"])
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync(Cancel))!);
        }
    }

    [Fact]
    public async Task ADeploymentWithTighterLimitsThanTheWarmUpsRequestStillWarmsUpWithoutAWarning()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?>
        {
            ["Prediction:MaxEvents"] = "1",
            ["Prediction:MaxPromptLength"] = "10",
        });
        var (warmUp, logger) = WarmUp(predictor);

        await warmUp.StartAsync(Cancel);

        Assert.Empty(logger.At(LogLevel.Warning));
        Assert.Single(logger.At(LogLevel.Debug), m => m.StartsWith("Warmed up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TurnedOffTheWarmUpDoesNothing()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?> { ["Prediction:WarmUp"] = "false" });
        var (warmUp, logger) = WarmUp(predictor);

        await warmUp.StartAsync(Cancel);

        Assert.Empty(logger.Entries);
    }

    [Fact]
    public async Task AWarmUpThatFailsIsLoggedAndTheServiceStillStarts()
    {
        using var predictor = new TestPredictor();
        var (warmUp, logger) = WarmUp(predictor, new ThrowingRanker());

        await warmUp.StartAsync(Cancel);

        Assert.Single(logger.At(LogLevel.Warning));
    }

    private static (StartupWarmUp WarmUp, ListLogger<StartupWarmUp> Logger) WarmUp(TestPredictor predictor, ICandidateRanker? ranker = null)
    {
        var logger = new ListLogger<StartupWarmUp>();
        var rankers = ranker is null ? predictor.Get<IRankerSource>() : new FixedRanker(ranker);
        return (new StartupWarmUp(predictor.Get<IOptions<PredictionOptions>>(), rankers, predictor.Get<DestructiveCallPolicy>(),
            predictor.Get<InjectionDetector>(), predictor.Get<PiiRequestGuard>(), predictor.Get<IPiiRedactor>(), TimeProvider.System, logger),
            logger);
    }

    private sealed class FixedRanker(ICandidateRanker ranker) : IRankerSource
    {
        public ICandidateRanker Current => ranker;

        public RankerModelInfo? CurrentModel => null;

        public ICandidateRanker? Challenger => null;
    }

    private sealed class ThrowingRanker : ICandidateRanker
    {
        public string Version => "throws";

        public IReadOnlyList<ScoredCandidate> Rank(RankingRequest request, int explain) => throw new InvalidOperationException("broken model");
    }
}
