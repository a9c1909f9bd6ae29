using OpenSesame.Predictor.Candidates.Llm;
using OpenSesame.Predictor.Ranking;
using static OpenSesame.Predictor.Tests.Candidates.Llm.FakeLlmServer;

namespace OpenSesame.Predictor.Tests.Candidates.Llm;

/// <summary>The optional second LLM pass over doubtful or destructive suggestions, on the real SDK and a fake API.</summary>
public sealed class LlmReviewerTests
{
    private static readonly string[] BillingAnswer = ["GET /v1/payments", "POST /v1/customers", "GET /v1/invoices"];

    // The second veto names a suggestion that was never shown: it must remove nothing.
    private const string VetoPayments = """
        {"reviews": [{"endpoint": "GET /v1/payments", "verdict": "drop", "reason": "no payment in sight"},
                     {"endpoint": "DELETE /v1/customers/{customer}", "verdict": "drop", "reason": "made up"}]}
        """;

    [Fact]
    public void TheReviewIsOffByDefault()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Settings(server));

        Assert.Empty(predictor.Get<IEnumerable<ICandidateReviewer>>());
    }

    [Fact]
    public async Task ASuggestionTheReviewVetoesIsRemovedAndTheNextMovesUp()
    {
        using var server = new FakeLlmServer(InTurn(
            Reply.Candidates(BillingAnswer),
            Reply.WithText(VetoPayments)));
        using var predictor = new TestPredictor(Reviewing(server, lowConfidence: 1));
        using var unreviewed = new TestPredictor(Settings(new FakeLlmServer(() => Reply.Candidates(BillingAnswer))));

        var before = await unreviewed.PredictAsync(TestSpecs.BillingPath, "take a payment", 3, "GET /v1/invoices");
        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 3, "GET /v1/invoices");

        Assert.Contains(before.Predictions, p => p.Endpoint == "GET /v1/payments");
        Assert.DoesNotContain(response.Predictions, p => p.Endpoint == "GET /v1/payments");
        Assert.Equal(3, response.Predictions.Count);
        Assert.Equal(2, server.Requests.Count);
        Assert.Contains("You review suggested next REST API calls", server.Requests[1].Body, StringComparison.Ordinal);
        Assert.Equal(2, response.Metadata.LlmCalls.Count);
        Assert.Contains("review", response.Metadata.StagesMs.Keys);
    }

    [Fact]
    public async Task AConfidentHarmlessListIsNotReviewedAndCostsNoSecondCall()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Reviewing(server, lowConfidence: 0));

        await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 3, "GET /v1/invoices");

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task AReviewInTheWrongShapeLeavesTheListAsItWas()
    {
        using var server = new FakeLlmServer(InTurn(Reply.Candidates(BillingAnswer), Reply.WithText("""{"reviews": [{"endpoint": "GET /v1/payments", "verdict": "maybe"}]}""")));
        using var predictor = new TestPredictor(Reviewing(server, lowConfidence: 1));
        using var unreviewed = new TestPredictor(Settings(new FakeLlmServer(() => Reply.Candidates(BillingAnswer))));

        var before = await unreviewed.PredictAsync(TestSpecs.BillingPath, "take a payment", 3, "GET /v1/invoices");
        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 3, "GET /v1/invoices");

        Assert.Equal(before.Predictions.Select(p => p.Endpoint), response.Predictions.Select(p => p.Endpoint));
        Assert.Equal("unreadable", response.Metadata.LlmCalls[^1].Outcome);
    }

    [Fact]
    public async Task NoReviewOnceThePredictionHasSpentItsCap()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        var settings = Reviewing(server, lowConfidence: 1);
        settings["Llm:Review:MaxPredictionCostUsd"] = "0.0001"; // below one generation's cost (812 in, 95 out tokens)
        using var predictor = new TestPredictor(settings);

        await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 3, "GET /v1/invoices");

        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("""{"reviews": [{"endpoint": "GET /a", "verdict": "drop"}, {"endpoint": "GET /b", "verdict": "keep"}]}""", "GET /a")]
    [InlineData("""Sure! ```json {"reviews": []} ```""", "")]
    public void VetoesAreTheDroppedEndpoints(string answer, string expected)
    {
        Assert.Equal(expected.Length == 0 ? [] : [expected], LlmReviewer.Vetoes(answer)!);
    }

    [Theory]
    [InlineData("""{"reviews": [{"endpoint": "GET /a", "verdict": "remove"}]}""")]
    [InlineData("""{"reviews": [{"verdict": "drop"}]}""")]
    [InlineData("""{"reviews": {"GET /a": "drop"}}""")]
    [InlineData("""{"candidates": []}""")]
    public void AnyOtherShapeIsNoReview(string answer)
    {
        Assert.Null(LlmReviewer.Vetoes(answer));
    }

    private static Dictionary<string, string?> Reviewing(FakeLlmServer server, double lowConfidence)
    {
        var settings = Settings(server);
        settings["Llm:Review:Enabled"] = "true";
        settings["Llm:Review:LowConfidence"] = lowConfidence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }
}
