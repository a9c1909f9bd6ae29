using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Semantics;

namespace OpenSesame.Predictor.Tests.Ranking;

/// <summary>A prompt cut into the steps it names, and the history's progress through them, on the billing sample.</summary>
public sealed class PromptStepsTests
{
    private static readonly Lazy<SentenceEmbedder> Embedder = new(() => new SentenceEmbedder());

    private static RequestFeatures Features(string prompt, string[] history, SentenceEmbedder? embedder = null) =>
        new(PredictionContext.Create(TestSpecs.Billing,
            history.Select(e => HistoryEvent.ParseEndpoint(e) is { } p ? new HistoryEvent(null, p.Method, p.Path, HistoryEvent.NoParams) : throw new ArgumentException(e)),
            prompt, DateTimeOffset.UnixEpoch, embedder));

    private static float Feature(RequestFeatures features, int feature, string operation) =>
        features.Extract(TestSpecs.Billing.Operations.Single(o => o.Key == operation))[feature];

    [Theory]
    [InlineData("first find the customer, then create an invoice, and finally send it.", "find the customer|create an invoice|send it")]
    [InlineData("Create a new channel called 'rl-project' and add Morgan Stanley to it", "Create a new channel called 'rl-project'|add Morgan Stanley to it")]
    [InlineData("Find all PDF files in the folder and its subfolders. Add the tag 'pdf' to each of them.", "Find all PDF files in the folder and its subfolders|Add the tag 'pdf' to each of them")]
    [InlineData("Check the calendar first.\nThen, after that, delete the old events; finally list them", "Check the calendar first|delete the old events|list them")]
    [InlineData("list the invoices", "list the invoices")]
    [InlineData("pay it. Then send it", "pay it|send it")]
    public void APromptIsCutIntoTheStepsItNamesInOrder(string prompt, string expected) =>
        Assert.Equal(expected.Split('|'), PromptSteps.Split(prompt));

    [Fact]
    public void APieceOfOneWordJoinsTheStepBeforeIt() =>
        Assert.Equal(["create an invoice now"], PromptSteps.Split("create an invoice, then now"));

    [Fact]
    public void AVeryLongBriefKeepsItsLastStepsTogether()
    {
        var steps = PromptSteps.Split(string.Join(". ", Enumerable.Range(1, 20).Select(i => $"do step {i}")));

        Assert.Equal(12, steps.Count);
        Assert.StartsWith("do step 12 do step 13", steps[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void APromptAtItsLengthLimitOfAndsIsCutIntoAtMostTwelveSteps()
    {
        var prompt = string.Concat(Enumerable.Repeat("list them and ", 285)) + "send it";

        var steps = PromptSteps.Split(prompt);

        Assert.Equal(12, steps.Count);
        Assert.EndsWith("send it", steps[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void BeforeAnyCallTheFirstStepIsNext()
    {
        var features = Features("create a draft invoice, then finalize the invoice", []);

        Assert.Equal(1, Feature(features, FeatureSchema.StepNextRank, "POST /v1/invoices"));
        Assert.Equal(0, Feature(features, FeatureSchema.StepsDone, "POST /v1/invoices"));
        Assert.Equal(0, Feature(features, FeatureSchema.StepCurrentRank, "POST /v1/invoices"));
        Assert.Equal(1, Feature(features, FeatureSchema.StepKindMatch, "POST /v1/invoices"));
    }

    [Fact]
    public void ACallThatMatchesAStepMovesTheHistoryToTheStepAfterIt()
    {
        var features = Features("create a draft invoice, then finalize the invoice", ["POST /v1/invoices"]);

        Assert.Equal(0, features.Steps!.Current);
        Assert.Equal(1, Feature(features, FeatureSchema.StepNextRank, "POST /v1/invoices/{invoice}/finalize"));
        Assert.Equal(1, Feature(features, FeatureSchema.StepNext, "POST /v1/invoices/{invoice}/finalize"));
        Assert.True(Feature(features, FeatureSchema.StepNextRank, "POST /v1/invoices") < 1);
        Assert.Equal(1, Feature(features, FeatureSchema.StepCurrentRank, "POST /v1/invoices"));
        Assert.Equal(0.5f, Feature(features, FeatureSchema.StepsDone, "POST /v1/invoices"));
    }

    [Fact]
    public void ACallNoStepAsksForLeavesTheHistoryWhereItWas()
    {
        var features = Features("create a draft invoice, then finalize the invoice", ["GET /v1/payments", "GET /v1/payments"]);

        Assert.Equal(-1, features.Steps!.Current);
        Assert.Equal(1, Feature(features, FeatureSchema.StepNextRank, "POST /v1/invoices"));
    }

    [Fact]
    public void OnceTheLastStepIsReachedNoStepIsNext()
    {
        var features = Features("create an invoice, then finalize the invoice", ["POST /v1/invoices", "POST /v1/invoices/in_1/finalize"]);

        Assert.Null(features.Steps!.Next);
        Assert.Equal(1, Feature(features, FeatureSchema.StepsDone, "POST /v1/invoices/{invoice}/send"));
        Assert.All(TestSpecs.Billing.Operations, o => Assert.Equal(0, features.Extract(o)[FeatureSchema.StepNext]));
    }

    [Fact]
    public void APromptThatIsOneStepAsWrittenScoresAsItsStepWould()
    {
        // "list the invoices." is cut to its step "list the invoices" and scored as a step; the prompt without the
        // full stop is its own step and reuses the prompt's scores. Both must describe every operation alike.
        var asWritten = Features("list the invoices", []);
        var cut = Features("list the invoices.", []);

        Assert.All(TestSpecs.Billing.Operations, o => Assert.Equal(
            [.. cut.Extract(o).Skip(FeatureSchema.StepNext).Take(5)], asWritten.Extract(o).Skip(FeatureSchema.StepNext).Take(5)));
        Assert.True(Feature(asWritten, FeatureSchema.StepNextRank, "GET /v1/invoices") > 0);
    }

    [Fact]
    public void WithoutAPromptEveryStepFeatureIsZero()
    {
        var features = new RequestFeatures(TestSpecs.Context(TestSpecs.Billing, null, "GET /v1/invoices"));

        Assert.Null(features.Steps);
        Assert.All(TestSpecs.Billing.Operations, o => Assert.All(
            [FeatureSchema.StepNext, FeatureSchema.StepNextRank, FeatureSchema.StepCurrentRank, FeatureSchema.StepsDone, FeatureSchema.StepKindMatch],
            f => Assert.Equal(0, features.Extract(o)[f])));
    }

    [Fact]
    public void EmbeddingsFindAStepItsWordsDoNotName()
    {
        // "bill" shares no word with the operations; its meaning is close to the invoices'.
        var features = Features("look up the customer, then bill them", ["GET /v1/customers/cus_1"], Embedder.Value);

        Assert.Equal(0, features.Steps!.Current);
        var best = TestSpecs.Billing.Operations.MaxBy(o => features.Extract(o)[FeatureSchema.StepNext])!;
        Assert.StartsWith("/v1/invoices", best.Path.Template, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "A step of your prompt still ahead (create a draft invoice)")]
    [InlineData(true, "A step of your prompt still ahead")]
    public void AnExplanationNamesTheStepAheadUnlessTheRequestIsFlagged(bool flagged, string why)
    {
        var context = PredictionContext.Create(TestSpecs.Billing, [TestSpecs.Event("POST /v1/customers")],
            "create a customer, then create a draft invoice, and finally send it", DateTimeOffset.UnixEpoch,
            injection: flagged ? new InjectionVerdict([new InjectionFinding("prompt", ["ignore-instructions"])]) : null);
        var request = Stages.Unreviewed(context, Stages.Local(context, 30));
        var index = request.Candidates.ToList().FindIndex(c => c.Operation.Key == "POST /v1/invoices");

        Assert.Equal(why, Explainer.Explain(request, request.Candidates[index], request.Vectors[index], [(FeatureSchema.StepNext, 1f)]));
    }
}
