using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Ranking;

/// <summary>The variable-order model of learned usage: backoff, fading, and what the features read from it.</summary>
public sealed class UsageCountsTests
{
    private const int A = 0, B = 1, C = 2, D = 3, E = 4;
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheCallsBeforeTheLastOneTellApartWhatFirstOrderCountsCannot()
    {
        var usage = new UsageCounts();
        for (var i = 0; i < 5; i++)
        {
            usage.Record([A, B], C, Now);
            usage.Record([D, B], E, Now);
        }

        var afterAB = usage.Probabilities([A, B], 5, Now);
        var afterDB = usage.Probabilities([D, B], 5, Now);
        var afterB = usage.Probabilities([B], 5, Now);

        Assert.True(afterAB.Probabilities[C] > 3 * afterAB.Probabilities[E]);
        Assert.True(afterDB.Probabilities[E] > 3 * afterDB.Probabilities[C]);
        Assert.Equal(afterB.Probabilities[C], afterB.Probabilities[E]);
        Assert.Equal((2, 1), (afterAB.Order, afterB.Order));
    }

    [Fact]
    public void AnUnseenContextBacksOffToTheLongestSeenAndWittenBellWeighsEachOrder()
    {
        var usage = new UsageCounts();
        usage.Record([B], C, Now, 3);
        usage.Record([B], D, Now);

        var estimate = usage.Probabilities([E, B], 5, Now);

        // Order 0: 4 calls, 2 distinct: C = 3/6, D = 1/6. Order 1 after B, the same counts over its own: C = (3 + 2·3/6)/6.
        Assert.Equal(1, estimate.Order);
        Assert.Equal(4f, estimate.Evidence);
        Assert.Equal((3 + (2 * 0.5)) / 6, estimate.Probabilities[C], 5);
        Assert.Equal((1 + (2 / 6.0)) / 6, estimate.Probabilities[D], 5);
        Assert.Equal(0, estimate.Probabilities[A]);
    }

    [Fact]
    public void ANewHabitOvertakesAnOldOneAsCountsFade()
    {
        var fading = new UsageCounts(TimeSpan.FromDays(30));
        var lasting = new UsageCounts();
        foreach (var usage in new[] { fading, lasting })
        {
            for (var i = 0; i < 10; i++)
            {
                usage.Record([A], B, Now);
            }

            for (var i = 0; i < 5; i++)
            {
                usage.Record([A], C, Now.AddDays(60));
            }
        }

        var faded = fading.Probabilities([A], 5, Now.AddDays(60));
        var kept = lasting.Probabilities([A], 5, Now.AddDays(60));

        Assert.True(faded.Probabilities[C] > faded.Probabilities[B]);
        Assert.True(kept.Probabilities[B] > kept.Probabilities[C]);
        Assert.Equal(7.5f, faded.Evidence, 3);
    }

    [Fact]
    public void WeightsFarApartInTimeStayFinite()
    {
        var usage = new UsageCounts(TimeSpan.FromMinutes(1));
        usage.Record([A], B, Now);
        usage.Record([A], C, Now.AddDays(3650));

        var estimate = usage.Probabilities([A], 5, Now.AddDays(3650));

        Assert.All(estimate.Probabilities, p => Assert.True(float.IsFinite(p)));
        // Orders 0 and 1 each hold C alone, once: 1/2 at order 0, then 1/2 + 1/2 · 1/2.
        Assert.Equal(0.75f, estimate.Probabilities[C], 3);
        Assert.Equal(0f, estimate.Probabilities[B], 3);
    }

    [Fact]
    public void TheContextMarksACallTheSpecDoesNotHaveAndASessionsStart()
    {
        var catalog = TestSpecs.Billing;
        List<ResolvedEvent> History(params string[] paths) => [.. PredictionContext.Create(catalog,
            [.. paths.Select(p => new HistoryEvent(null, "GET", p, HistoryEvent.NoParams))], null, Now).History];
        var list = catalog.Operations.Single(o => o.Key == "GET /v1/invoices").Index;
        var detail = catalog.Operations.Single(o => o.Key == "GET /v1/invoices/{invoice}").Index;

        Assert.Equal([UsageCounts.Start], UsageContext.Before([]));
        Assert.Equal([UsageCounts.Start, list], UsageContext.Before(History("/v1/invoices")));
        Assert.Equal([UsageCounts.Start, list, detail], UsageContext.Before(History("/v1/invoices", "/v1/invoices/in_1")));
        Assert.Equal([UsageCounts.Outside, list, detail], UsageContext.Before(History("/nowhere", "/v1/invoices", "/v1/invoices/in_1")));
        Assert.Equal([list, UsageCounts.Outside, detail], UsageContext.Before(History("/v1/invoices", "/nowhere/in_1", "/v1/invoices/in_1")));
        Assert.Equal([list, list, detail], UsageContext.Before(History("/v1/invoices", "/v1/invoices", "/v1/invoices", "/v1/invoices/in_1")));
    }

    [Fact]
    public void TheFeaturesReadTheCrowdsEstimateItsOrderAndEvidenceAndThePersonalOneOnlyWhenThereIsOne()
    {
        var catalog = TestSpecs.Billing;
        var finalize = catalog.Operations.Single(o => o.Key == "POST /v1/invoices/{invoice}/finalize");
        var list = catalog.Operations.Single(o => o.Key == "GET /v1/invoices");
        var history = new[] { new HistoryEvent(null, "GET", "/v1/invoices/in_1", HistoryEvent.NoParams) };
        var before = UsageContext.Before(PredictionContext.Create(catalog, history, null, Now).History);
        var crowd = new UsageCounts();
        var user = new UsageCounts();
        crowd.Record(before, finalize.Index, Now, 3);
        crowd.Record(before, list.Index, Now);

        float[] Features(LearnedUsage usage, ApiOperation operation) =>
            new RequestFeatures(PredictionContext.Create(catalog, history, null, Now, usage: usage)).Extract(operation);
        var withoutOwn = Features(new LearnedUsage(crowd, user: user), finalize);
        user.Record(before, list.Index, Now, 5);
        var withOwn = Features(new LearnedUsage(crowd, user: user), list);

        Assert.Equal(crowd.Probabilities(before, catalog.Operations.Count, Now).Probabilities[finalize.Index],
            withoutOwn[FeatureSchema.UsageProbability]);
        Assert.Equal(MathF.Log(1 + 4), withoutOwn[FeatureSchema.UsageEvidence], 5);
        // The session's start and the one call: a context of order 2 of 3.
        Assert.Equal(0.75f, withoutOwn[FeatureSchema.UsageOrder]);
        Assert.Equal(0f, withoutOwn[FeatureSchema.UsagePersonal]);
        Assert.True(withOwn[FeatureSchema.UsagePersonal] > withOwn[FeatureSchema.UsageProbability]);
    }

    [Fact]
    public void APromptsWordsLearnWhatFollowedTheLastCallBackingOffToTheWordAloneAndAverageOverTheWordsSeen()
    {
        var usage = new UsageCounts();
        usage.RecordWords(["credit"], A, C, Now, 2);
        usage.RecordWords(["credit"], B, D, Now);
        usage.RecordWords(["image"], A, E, Now);

        var afterA = usage.WordProbabilities(["credit"], A, 5, Now);
        var afterE = usage.WordProbabilities(["credit"], E, 5, Now);
        var unseen = usage.WordProbabilities(["season"], A, 5, Now);
        var both = usage.WordProbabilities(["credit", "image", "season"], A, 5, Now);

        // Alone: C 2/5, D 1/5; after A the word's one follower keeps a third of that and adds 2/3 for C.
        Assert.Equal(0.4f / 3 + (2f / 3), afterA.Probabilities[C], 5);
        Assert.Equal(0.2f / 3, afterA.Probabilities[D], 5);
        Assert.Equal([0.4f, 0.2f], [afterE.Probabilities[C], afterE.Probabilities[D]]);
        Assert.Equal((1, 0, -1), (afterA.Order, afterE.Order, unseen.Order));
        Assert.All(unseen.Probabilities, p => Assert.Equal(0f, p));
        // The unseen word does not dilute the two seen ones.
        Assert.Equal((afterA.Probabilities[C] + 0f) / 2, both.Probabilities[C], 5);
        Assert.Equal((0.25f + 0.5f) / 2, both.Probabilities[E], 5);
        Assert.Equal(2f + 1f, both.Evidence);
        Assert.False(new UsageCounts().WordProbabilities(["credit"], A, 5, Now).Any);
    }

    [Fact]
    public void TheWordFeaturesReadTheSpecLayersEstimateForThePromptsWordsThatTheSpecUses()
    {
        var catalog = TestSpecs.Billing;
        var finalize = catalog.Operations.Single(o => o.Key == "POST /v1/invoices/{invoice}/finalize");
        var history = new[] { new HistoryEvent(null, "GET", "/v1/invoices/in_1", HistoryEvent.NoParams) };
        var resolved = PredictionContext.Create(catalog, history, null, Now).History;
        var crowd = new UsageCounts();
        var words = LearnedUsage.WordsOf(catalog, Tokenizer.Terms("finalize it for Sofia Coppola"));
        crowd.RecordWords(words, UsageContext.Before(resolved)[^1], finalize.Index, Now, 3);

        float[] Features(string? prompt) =>
            new RequestFeatures(PredictionContext.Create(catalog, history, prompt, Now, usage: new LearnedUsage(crowd))).Extract(finalize);

        Assert.Equal(Tokenizer.Terms("finalize"), words);
        // Alone 3/4; after the detail read the word's one follower keeps a quarter of that and adds 3/4.
        Assert.Equal((0.75f / 4) + 0.75f, Features("please finalize")[FeatureSchema.UsageWords], 5);
        Assert.Equal(MathF.Log(1 + 3), Features("please finalize")[FeatureSchema.UsageWordsEvidence], 5);
        Assert.Equal([0f, 0f], [Features("send it")[FeatureSchema.UsageWords], Features(null)[FeatureSchema.UsageWords]]);
    }
}
