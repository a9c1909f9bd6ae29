using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Ranking;

/// <summary>The data-flow and semantic-history features on the billing sample, computed by the real extractor.</summary>
public sealed class IntentFeaturesTests
{
    private static readonly Lazy<SentenceEmbedder> Embedder = new(() => new SentenceEmbedder());

    private static float Feature(int feature, string operation, string? prompt, string[] history,
        SentenceEmbedder? embedder = null, bool dataFlow = true)
    {
        var catalog = TestSpecs.Billing;
        var context = PredictionContext.Create(catalog,
            history.Select(e => HistoryEvent.ParseEndpoint(e) is { } p ? new HistoryEvent(null, p.Method, p.Path, HistoryEvent.NoParams) : throw new ArgumentException(e)),
            prompt, DateTimeOffset.UnixEpoch, embedder, dataFlow);
        return new RequestFeatures(context).Extract(catalog.Operations.Single(o => o.Key == operation))[feature];
    }

    [Fact]
    public void TheListThatYieldsTheIdThePromptsTargetNeedsIsMarked()
    {
        Assert.True(Feature(FeatureSchema.ProducesForPromptTarget, "GET /v1/invoices", "finalize the invoice", []) > 0);
        Assert.Equal(0, Feature(FeatureSchema.ProducesForPromptTarget, "POST /v1/invoices/{invoice}/finalize", "finalize the invoice", []));
        Assert.Equal(0, Feature(FeatureSchema.ProducesForPromptTarget, "GET /v1/payments", "finalize the invoice", []));
    }

    [Fact]
    public void NoProducerIsNeededWhenTheHistoryOrThePromptAlreadyHoldsTheId()
    {
        Assert.Equal(0, Feature(FeatureSchema.ProducesForPromptTarget, "GET /v1/invoices", "finalize the invoice", ["GET /v1/invoices/in_123"]));
        Assert.Equal(0, Feature(FeatureSchema.ProducesForPromptTarget, "GET /v1/invoices", "finalize invoice in_1MtHbELkdIwHu7ix", []));
    }

    [Fact]
    public void ACallThatNeedsWhatTheLastCallReturnedIsMarked()
    {
        Assert.Equal(1, Feature(FeatureSchema.ConsumesFromLast, "POST /v1/invoices/{invoice}/finalize", null, ["GET /v1/invoices"]));
        Assert.Equal(0, Feature(FeatureSchema.ConsumesFromLast, "GET /v1/customers", null, ["GET /v1/invoices"]));
        Assert.Equal(0, Feature(FeatureSchema.ConsumesFromLast, "POST /v1/payments/{payment}/refund", null, ["GET /v1/invoices"]));
    }

    [Fact]
    public void AnOpaqueIdNobodyHandedOutCountsAgainstACallAndStopsCountingOnceTheHistoryOrThePromptGivesIt()
    {
        Assert.Equal(1, Feature(FeatureSchema.UnknownOpaqueIds, "POST /v1/invoices/{invoice}/finalize", "finalize the invoice", []));
        Assert.Equal(0, Feature(FeatureSchema.UnknownOpaqueIds, "POST /v1/invoices/{invoice}/finalize", null, ["GET /v1/invoices/in_123"]));
        Assert.Equal(0, Feature(FeatureSchema.UnknownOpaqueIds, "POST /v1/invoices/{invoice}/finalize", "finalize invoice in_1MtHbELkdIwHu7ix", []));
        Assert.Equal(0, Feature(FeatureSchema.UnknownOpaqueIds, "GET /v1/invoices", "finalize the invoice", []));
    }

    [Theory]
    [InlineData("owner", "owner", true)]
    [InlineData("repo", "repo", true)]
    [InlineData("username", "username", true)]
    [InlineData("workspace_slug", "workspace_slug", true)]
    [InlineData("movie_id", "movie", false)]
    [InlineData("invoice", "invoice", false)]
    [InlineData("issue_number", "issue", false)]
    [InlineData("user_id", "user", false)]
    public void APathParameterTakesANameAUserKnowsOrAnOpaqueIdACallMustHandOut(string name, string entity, bool takesName) =>
        Assert.Equal(takesName, new PathParameterSlot(name, entity).TakesName);

    [Fact]
    public void WithoutDataFlowBothDataFlowFeaturesStayZero()
    {
        Assert.Equal(0, Feature(FeatureSchema.ProducesForPromptTarget, "GET /v1/invoices", "finalize the invoice", [], dataFlow: false));
        Assert.Equal(0, Feature(FeatureSchema.ConsumesFromLast, "POST /v1/invoices/{invoice}/finalize", null, ["GET /v1/invoices"], dataFlow: false));
    }

    [Fact]
    public void AnOperationLikeTheLastCallIsCloserInMeaningThanAnUnrelatedOne()
    {
        string[] history = ["GET /v1/invoices"];
        var related = Feature(FeatureSchema.SemanticLast, "GET /v1/invoices/{invoice}/lines", null, history, Embedder.Value);
        var unrelated = Feature(FeatureSchema.SemanticLast, "POST /v1/payments/{payment}/refund", null, history, Embedder.Value);

        Assert.True(related > unrelated, $"{related} <= {unrelated}");
        Assert.Equal(related, Feature(FeatureSchema.SemanticHistory, "GET /v1/invoices/{invoice}/lines", null, history, Embedder.Value));
        Assert.Equal(0, Feature(FeatureSchema.SemanticLast, "GET /v1/invoices/{invoice}/lines", null, history));
    }

    [Fact]
    public async Task TheExplanationNamesTheCallTheProducerPreparesFor()
    {
        using var predictor = new TestPredictor();

        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "finalize the invoice", 5);

        var list = Assert.Single(response.Predictions, p => p.Endpoint == "GET /v1/invoices");
        Assert.Contains("POST /v1/invoices/{invoice}/finalize needs", list.Why, StringComparison.Ordinal);
    }
}
