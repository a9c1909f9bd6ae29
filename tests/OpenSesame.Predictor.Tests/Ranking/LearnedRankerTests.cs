using System.Text.Json;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Predictor.Tests.Ranking;

public sealed class LearnedRankerTests(TinyRanker tiny)
{
    private const int PoolSize = 20;

    // What each sentence of a why claims about the candidate, as a condition on its features.
    private static readonly (string Phrase, Func<ScoredCandidate, bool> Holds)[] Claims =
    [
        ("matches the prompt", c => c.Features[FeatureSchema.Lexical] > 0),
        ("close to what the prompt asks", c => c.Features[FeatureSchema.PromptResourceMatch] > 0 || c.Features[FeatureSchema.Lexical] > 0),
        ("goes one level deeper", c => c.Features[FeatureSchema.PathChild] == 1),
        ("goes back up from your last call", c => c.Features[FeatureSchema.PathParent] == 1),
        ("sits next to your last call", c => c.Features[FeatureSchema.PathSibling] == 1),
        ("same resource as your last call", c => c.Features[FeatureSchema.PathSame] == 1 || c.Features[FeatureSchema.ResourceOverlap] > 0),
        ("from your last call", c => c.Features[FeatureSchema.UsesLastId] == 1),
        ("acts on the resource of your last call", c => c.Features[FeatureSchema.UsesLastId] == 1),
        ("every id it needs is in your history", c => c.Features[FeatureSchema.ParamsAvailable] == 1 && c.Operation.Path.Slots.Count > 0),
        ("some of the ids it needs are in your history", c => c.Features[FeatureSchema.ParamsAvailable] is > 0 and < 1),
        ("needs no id you would first have to look up", c => c.Features[FeatureSchema.UnknownOpaqueIds] == 0),
        ("you called it recently", c => c.Features[FeatureSchema.CallCount] > 0),
        ("you already went from", c => c.Features[FeatureSchema.TransitionSeen] > 0),
        ("a natural starting point", c => c.Features[FeatureSchema.EntryPoint] > 0),
        ("often follows", c => c.Features[FeatureSchema.HistoryLength] > 0),
        ("is a common first step", c => c.Features[FeatureSchema.HistoryLength] == 0),
        ("id your last call returns", c => c.Features[FeatureSchema.ConsumesFromLast] == 1),
        ("needs for what you asked", c => c.Features[FeatureSchema.ProducesForPromptTarget] > 0),
        ("close in meaning to the calls you just made", c => c.Features[FeatureSchema.SemanticLast] > 0 || c.Features[FeatureSchema.SemanticHistory] > 0),
        ("close in meaning to what the prompt asks", c => c.Features[FeatureSchema.Semantic] > 0),
    ];

    // Every step of the sessions of the domains the generator held out: APIs the model never saw.
    private IEnumerable<RankingRequest> Pools()
    {
        foreach (var session in SyntheticSessionFile.Read(Path.Combine(tiny.Folder, tiny.Manifest.HeldOutFile)))
        {
            var catalog = SyntheticDomains.Get(session.Domain).Catalog;
            var history = new List<HistoryEvent>();
            for (var step = 0; step < session.Calls.Count; step++)
            {
                var call = session.Calls[step];
                var context = PredictionContext.Create(catalog, history, session.Prompts[step], call.Timestamp);
                yield return Stages.Unreviewed(context, Stages.Local(context, PoolSize));
                history.Add(new HistoryEvent(call.Timestamp, call.Method, call.Path,
                    call.Params.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value))));
            }
        }
    }

    [Fact]
    public void ScoresAreProbabilitiesThatDoNotIncreaseDownTheList()
    {
        var ranker = new LearnedRanker(tiny.Model);
        var pools = 0;

        foreach (var pool in Pools())
        {
            var ranked = ranker.Rank(pool, explain: 3);

            Assert.Equal(pool.Candidates.Select(c => c.Operation.Key).Order(StringComparer.Ordinal), ranked.Select(c => c.Operation.Key).Order(StringComparer.Ordinal));
            Assert.All(ranked, c => Assert.InRange(c.Score, 0, 1));
            Assert.All(ranked.Zip(ranked.Skip(1)), pair => Assert.True(pair.First.Score >= pair.Second.Score,
                $"{pair.First.Operation.Key} ({pair.First.Score}) is ranked above {pair.Second.Operation.Key} ({pair.Second.Score})"));
            Assert.True(ranked.Sum(c => c.Score) < 1, "The pool leaves no probability for 'none of these'.");
            pools++;
        }

        Assert.True(pools > 100, $"only {pools} pools");
    }

    [Fact]
    public void TheFirstExplainCandidatesGetAWhyAndTheRestNone()
    {
        var ranker = new LearnedRanker(tiny.Model);

        foreach (var pool in Pools().Take(40))
        {
            var ranked = ranker.Rank(pool, explain: 3);

            Assert.All(ranked.Take(3), c => Assert.False(string.IsNullOrWhiteSpace(c.Why), $"{c.Operation.Key} has no why"));
            Assert.All(ranked.Skip(3), c => Assert.Equal("", c.Why));
        }
    }

    // The heuristic ranker writes its why with the same explainer; it is checked too because it serves until a model exists.
    [Theory]
    [InlineData("learned")]
    [InlineData("heuristic")]
    public void AWhyNamesOnlyPropertiesTheCandidateHas(string kind)
    {
        ICandidateRanker ranker = kind == "learned" ? new LearnedRanker(tiny.Model) : new HeuristicRanker();
        var claimed = new HashSet<string>(StringComparer.Ordinal);

        foreach (var pool in Pools())
        {
            foreach (var candidate in ranker.Rank(pool, explain: PoolSize))
            {
                foreach (var (phrase, holds) in Claims.Where(c => candidate.Why.Contains(c.Phrase, StringComparison.OrdinalIgnoreCase)))
                {
                    claimed.Add(phrase);
                    Assert.True(holds(candidate), $"'{candidate.Why}' for {candidate.Operation.Key}, whose features are "
                        + string.Join(", ", FeatureSchema.Names.Zip(candidate.Features).Where(f => f.Second != 0).Select(f => $"{f.First}={f.Second}")));
                }
            }
        }

        // The check means something only if the model gave many kinds of reasons.
        Assert.True(claimed.Count >= 6, $"only these reasons came up: {string.Join(", ", claimed)}");
    }

    // The ranker skips measuring what it cannot name, so a phrase added without naming its feature would never show.
    [Fact]
    public void TheExplainerNamesExactlyTheFeaturesItHasWordsFor()
    {
        var context = TestSpecs.Context(TestSpecs.Billing, "finalize the invoice", "GET /v1/invoices", "GET /v1/invoices/in_1");
        var pool = Stages.Unreviewed(context, Stages.Local(context, PoolSize));

        foreach (var (candidate, vector) in pool.Candidates.Zip(pool.Vectors))
        {
            for (var feature = 0; feature < FeatureSchema.Count; feature++)
            {
                var (group, _) = Explainer.Describe(pool, candidate.Candidate, vector, feature);
                Assert.True(Explainer.CanName(feature) == group is not null,
                    $"{FeatureSchema.All[feature].Name}: CanName {Explainer.CanName(feature)}, described as '{group}'");
            }
        }
    }

    [Fact]
    public void SkippingTheFeaturesItCannotNameChangesNoWhy()
    {
        var ranker = new LearnedRanker(tiny.Model);
        var compared = 0;

        foreach (var pool in Pools().Take(200))
        {
            var means = pool.Vectors.Aggregate(new float[FeatureSchema.Count], (sum, v) => [.. sum.Zip(v, (a, b) => a + (b / pool.Vectors.Count))]);
            foreach (var candidate in ranker.Rank(pool, explain: 5).Take(5))
            {
                // Every feature above the pool's mean, probed by scoring the whole ensemble with it set to the mean.
                var everyFeature = Enumerable.Range(0, FeatureSchema.Count).Where(f => candidate.Features[f] > means[f]).Select(f =>
                {
                    var probe = (float[])candidate.Features.Clone();
                    probe[f] = means[f];
                    return (f, (float)(tiny.Model.Ensemble.Score(candidate.Features) - tiny.Model.Ensemble.Score(probe)));
                }).ToList();
                var reviewed = pool.Candidates.Single(c => c.Operation.Key == candidate.Operation.Key);

                Assert.Equal(Explainer.Explain(pool, reviewed, candidate.Features, everyFeature), candidate.Why);
                compared++;
            }
        }

        Assert.True(compared > 500, $"only {compared} whys compared");
    }

    [Fact]
    public void ItReportsTheModelVersion() => Assert.Equal(tiny.Model.Version, new LearnedRanker(tiny.Model).Version);

    [Fact]
    public void AnEmptyPoolStaysEmpty()
    {
        var context = TestSpecs.Context(TestSpecs.Billing, "list invoices");

        Assert.Empty(new LearnedRanker(tiny.Model).Rank(Stages.Unreviewed(context, []), explain: 3));
    }
}
