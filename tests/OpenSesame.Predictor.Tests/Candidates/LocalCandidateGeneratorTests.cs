using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Predictor.Tests.Candidates;

public sealed class LocalCandidateGeneratorTests
{
    private static IReadOnlyList<ProposedCall> Generate(string? prompt, int count, params string[] history)
    {
        var request = Stages.Request(TestSpecs.Context(TestSpecs.Billing, prompt, history));
        // The local generator answers synchronously: nothing here waits.
        return new LocalCandidateGenerator().GenerateAsync(request, count, TestContext.Current.CancellationToken).AsTask().Result;
    }

    private static List<string> Ranked(string? prompt, int count, params string[] history)
    {
        var context = TestSpecs.Context(TestSpecs.Billing, prompt, history);
        var pool = Stages.Unreviewed(context, Stages.Local(context, 30));
        return [.. new HeuristicRanker().Rank(pool, count).Take(count).Select(c => c.Operation.Key)];
    }

    [Fact]
    public void YieldsTheRequestedNumberOfDistinctOperationsOfTheSpec()
    {
        var pool = Generate("refund a payment", 12, "GET /v1/invoices");

        Assert.Equal(12, pool.Count);
        Assert.Equal(12, pool.Select(c => c.Operation.Index).Distinct().Count());
        Assert.All(pool, c => Assert.Same(c.Operation, TestSpecs.Billing.Operations[c.Operation.Index]));
    }

    [Fact]
    public void NeverYieldsMoreThanTheSpecHas() =>
        Assert.Equal(TestSpecs.Billing.Operations.Count, Generate(null, 500).Count);

    [Fact]
    public void PutsTheDetailOfAResourceHighAfterListingIt() =>
        Assert.Contains("GET /v1/invoices/{invoice}", Ranked(null, 3, "GET /v1/invoices", "GET /v1/invoices/in_1"));

    [Fact]
    public void SuggestsActingOnWhatWasJustCreated() =>
        Assert.Contains(Ranked(null, 5, "POST /v1/invoices", "GET /v1/invoices/in_7"), k => k.StartsWith("POST /v1/invoices/{invoice}/", StringComparison.Ordinal));

    [Fact]
    public void GoesFromAParentToItsChildren() =>
        Assert.True(Ranked(null, 5, "GET /v1/invoices/in_1").Count(k => k.Contains("/v1/invoices/{invoice}/", StringComparison.Ordinal)) >= 2);

    [Fact]
    public void KeepsRepeatsOfTheLastCallInPlay() =>
        Assert.Contains("POST /v1/invoices/{invoice}/lines", Ranked(null, 5,
            "POST /v1/invoices/in_1/lines", "POST /v1/invoices/in_1/lines", "POST /v1/invoices/in_1/lines"));

    [Fact]
    public async Task KeepsTheLastCallAndItsNeighboursInASmallPoolOfALargeSpec()
    {
        // 400 look-alike resources, each with a list, a detail and a child: nothing but structure tells them apart.
        var endpoints = Enumerable.Range(0, 400).SelectMany(i => new[]
        {
            $"GET /things{i}", $"GET /things{i}/{{id}}", $"GET /things{i}/{{id}}/parts",
        }).ToArray();
        var catalog = TestSpecs.WithOperations(endpoints);
        var request = Stages.Request(TestSpecs.Context(catalog, null, "GET /things17", "GET /things250/abc"));

        var pool = (await new LocalCandidateGenerator().GenerateAsync(request, 10, TestContext.Current.CancellationToken))
            .Select(c => c.Operation.Key).ToList();

        Assert.Contains("GET /things250/{id}", pool);
        Assert.Contains("GET /things250/{id}/parts", pool);
        Assert.Contains("GET /things250", pool);
        Assert.Contains("GET /things17", pool);
    }

    [Fact]
    public void WithoutHistoryFindsTheIdThePromptsTargetNeedsThenTheTarget() =>
        Assert.Equal(["GET /v1/payments", "POST /v1/payments/{payment}/refund"], Ranked("refund the customer's payment", 2));

    [Fact]
    public void RanksByThePromptAloneWhenThePromptNamesTheId() =>
        Assert.Equal("POST /v1/payments/{payment}/refund", Ranked("refund payment py_3MtwBw2eZvKYlo2C", 1)[0]);

    [Fact]
    public void StartsWithListingsOfMainResourcesWithoutHistoryOrPrompt()
    {
        var top = Ranked(null, 3);

        Assert.All(top, k => Assert.StartsWith("GET ", k, StringComparison.Ordinal));
        Assert.Contains("GET /v1/invoices", top);
    }

    [Fact]
    public void BringsAPromptMatchIntoThePoolEvenWhenTheHistoryPointsElsewhere() =>
        Assert.Contains(Generate("refund", 5, "GET /v1/customers", "GET /v1/customers/cus_1"),
            c => c.Operation.Key == "POST /v1/payments/{payment}/refund");

    [Fact]
    public void TheRankingStepDescribesEveryProposalWithTheFullFeatureList()
    {
        var context = TestSpecs.Context(TestSpecs.Billing, "send it", "GET /v1/invoices");

        var pool = Stages.Unreviewed(context, Stages.Local(context, 10));

        Assert.Equal(10, pool.Vectors.Count);
        Assert.All(pool.Vectors, vector => Assert.Equal(FeatureSchema.Count, vector.Length));
    }

    // What users do next on this spec reaches the ranker even when nothing else in the request points at it.
    [Fact]
    public void BringsWhatThisSpecsUsersCallNextIntoThePool()
    {
        var catalog = TestSpecs.Billing;
        var events = new[] { new HistoryEvent(null, "GET", "/v1/invoices/in_1", HistoryEvent.NoParams) };
        var cold = PredictionContextOf(null);
        var coldPool = Stages.Local(cold, 5).Select(c => c.Operation).ToList();
        var outsider = catalog.Operations.Last(o => !coldPool.Contains(o) && !o.IsDestructive);
        var usage = new LearnedUsage(new UsageCounts());
        usage.Spec.Record([catalog.Operations.Single(o => o.Key == "GET /v1/invoices/{invoice}").Index], outsider.Index, DateTimeOffset.UnixEpoch, 3);

        var warmPool = Stages.Local(PredictionContextOf(usage), 5);

        Assert.Contains(warmPool, c => c.Operation == outsider);

        PredictionContext PredictionContextOf(LearnedUsage? learned) =>
            PredictionContext.Create(catalog, events, null, DateTimeOffset.UnixEpoch, usage: learned);
    }
}
