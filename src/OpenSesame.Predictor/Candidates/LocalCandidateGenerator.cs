using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Predictor.Candidates;

/// <summary>
/// The always-on, offline generator. It describes every operation of the spec with the ranking features and merges
/// up to six orderings into one pool: the combined heuristic score, the prompt's words (BM25), the prompt's meaning
/// (embeddings), the history alone (transitions), the calls that yield an id the prompt's target lacks (data
/// flow) and what this spec's users called next (learned usage), so that a candidate strong on one signal only still
/// reaches the ranker.
/// </summary>
internal sealed class LocalCandidateGenerator : ICandidateGenerator
{
    public const string SourceName = "local";

    /// <summary>The generators that answered, as seen before any other generator has: this one alone.</summary>
    public static readonly IReadOnlyCollection<string> OnlyLocal = [SourceName];

    public string Name => SourceName;

    public ValueTask<IReadOnlyList<Candidate>> GenerateAsync(PredictionContext context, int count, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Generate(FeatureExtractor.For(context), count));

    /// <summary>The first <paramref name="count"/> operations of the merged orderings, as fresh candidates. The
    /// orderings are computed once per request and shared: the LLM generator reads the same ranking for its context
    /// (40 operations) while this generator answers with its k + buffer, and the first n of a longer pool are exactly
    /// the pool of n.</summary>
    public static IReadOnlyList<Candidate> Generate(FeatureExtractor extractor, int count)
    {
        var merged = extractor.Context.GetOrCreate(_ => Merge(extractor));
        var operations = extractor.Context.Catalog.Operations;
        var pool = new List<Candidate>(Math.Min(count, merged.Order.Length));
        foreach (var index in merged.Order.Take(count))
        {
            // A copy: the pipeline writes generator ranks into a candidate's features.
            var candidate = new Candidate(operations[index], SourceName) { Features = (float[])merged.Features[index].Clone() };
            candidate.GeneratorRanks[SourceName] = pool.Count;
            FeatureExtractor.SetGeneratorRanks(candidate.Features, candidate.GeneratorRanks, OnlyLocal);
            pool.Add(candidate);
        }

        return pool;
    }

    /// <summary>Every operation's features, and the operations in the order the orderings' round-robin takes them.</summary>
    private sealed record MergedOrder(int[] Order, float[][] Features);

    private static MergedOrder Merge(FeatureExtractor extractor)
    {
        var context = extractor.Context;
        var operations = context.Catalog.Operations;
        var features = new float[operations.Count][];
        var combined = new float[operations.Count];
        var history = new float[operations.Count];
        var lexical = new float[operations.Count];
        var semantic = new float[operations.Count];
        var producers = new float[operations.Count];
        var usage = new float[operations.Count];
        for (var i = 0; i < operations.Count; i++)
        {
            features[i] = extractor.Extract(operations[i]);
            combined[i] = features[i][FeatureSchema.Heuristic];
            history[i] = HeuristicScorer.HistoryScore(features[i]);
            lexical[i] = extractor.LexicalScore(operations[i]);
            semantic[i] = extractor.SemanticScore(operations[i]);
            // Among the producers of a needed id, the one the other signals like best comes first.
            var feeds = features[i][FeatureSchema.ProducesForPromptTarget];
            producers[i] = feeds > 0 ? feeds + (0.01f * Math.Max(0, combined[i])) : 0;
            usage[i] = features[i][FeatureSchema.UsageTransition];
        }

        var orderings = new List<(int[] Order, int Share)> { (Order(combined), 2) };
        if (context.PromptTerms.Count > 0)
        {
            orderings.Add((Order(lexical, positiveOnly: true), 1));
        }

        if (extractor.HasSemantic)
        {
            orderings.Add((Order(semantic), 1));
        }

        if (context.History.Count > 0)
        {
            orderings.Add((Order(history), 1));
        }

        if (producers.Any(p => p > 0))
        {
            orderings.Add((Order(producers, positiveOnly: true), 1));
        }

        if (usage.Any(u => u > 0))
        {
            orderings.Add((Order(usage, positiveOnly: true), 1));
        }

        var merged = new List<int>(operations.Count);
        var taken = new HashSet<int>();
        var cursors = new int[orderings.Count];
        var progressed = true;
        while (progressed)
        {
            progressed = false;
            for (var o = 0; o < orderings.Count; o++)
            {
                var (order, share) = orderings[o];
                for (var s = 0; s < share; s++)
                {
                    while (cursors[o] < order.Length && !taken.Add(order[cursors[o]]))
                    {
                        cursors[o]++;
                    }

                    if (cursors[o] >= order.Length)
                    {
                        break;
                    }

                    merged.Add(order[cursors[o]++]);
                    progressed = true;
                }
            }
        }

        return new MergedOrder([.. merged], features);
    }

    private static int[] Order(float[] scores, bool positiveOnly = false) =>
        [.. Enumerable.Range(0, scores.Length)
            .Where(i => !positiveOnly || scores[i] > 0)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => i)];
}
