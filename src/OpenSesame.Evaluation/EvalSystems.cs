using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Evaluation;

/// <summary>One way of ranking the next call, evaluated side by side with the others on the same cases.</summary>
internal interface IEvalSystem
{
    string Name { get; }

    /// <summary>Whether the system gets the intent signals (sentence embeddings, the data-flow graph) in its context.</summary>
    bool IntentSignals => true;

    /// <summary>Whether the system sees the usage learned from the cases before this one (test, then learn).</summary>
    bool LearnsUsage => false;

    /// <summary>Operation keys, best first.</summary>
    Task<IReadOnlyList<string>> RankAsync(PredictionContext context, CancellationToken cancellationToken);
}

/// <summary>Every operation in a random order (fixed per case): the floor any signal must beat.</summary>
internal sealed class RandomSystem(int seed) : IEvalSystem
{
    public string Name => "random";

    public Task<IReadOnlyList<string>> RankAsync(PredictionContext context, CancellationToken cancellationToken)
    {
        var key = string.Join('|', context.History.Select(h => h.Event.Endpoint)) + context.Prompt + context.Catalog.ContentHash;
        var random = new Random(seed ^ StableHash(key));
        var keys = context.Catalog.Operations.Select(o => o.Key).ToArray();
        random.Shuffle(keys);
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    // string.GetHashCode is randomised per process; runs must be repeatable.
    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}

/// <summary>The spec's entry points first (lists and searches of top-level resources), ignoring history and prompt.</summary>
internal sealed class PopularitySystem : IEvalSystem
{
    public string Name => "popularity";

    public Task<IReadOnlyList<string>> RankAsync(PredictionContext context, CancellationToken cancellationToken)
    {
        var extractor = new RequestFeatures(context);
        return Task.FromResult<IReadOnlyList<string>>([.. context.Catalog.Operations
            .OrderByDescending(o => extractor.Extract(o)[FeatureSchema.EntryPoint])
            .ThenBy(o => o.Index)
            .Select(o => o.Key)]);
    }
}

/// <summary>BM25 of the prompt against operation text, nothing else.</summary>
internal sealed class LexicalSystem : IEvalSystem
{
    public string Name => "lexical";

    public Task<IReadOnlyList<string>> RankAsync(PredictionContext context, CancellationToken cancellationToken)
    {
        var extractor = new RequestFeatures(context);
        return Task.FromResult<IReadOnlyList<string>>([.. context.Catalog.Operations
            .OrderByDescending(extractor.LexicalScore)
            .ThenBy(o => o.Index)
            .Select(o => o.Key)]);
    }
}

/// <summary>
/// The local generator's ordering of the whole spec (<see cref="Shortlist"/>), unreviewed: the rank of the true call in
/// it tells how large a pool must be to hold the answer, so its coverage at n is the coverage of a pool of n.
/// </summary>
internal sealed class ShortlistSystem : IEvalSystem
{
    public string Name => "shortlist";

    public Task<IReadOnlyList<string>> RankAsync(PredictionContext context, CancellationToken cancellationToken)
    {
        var shortlist = Shortlist.Build(new RequestFeatures(context));
        return Task.FromResult<IReadOnlyList<string>>([.. shortlist.Take(shortlist.Count).Select(o => o.Key)]);
    }
}

/// <summary>The service's own path (generate, critique, rank) with a given ranker; its list is the reviewed pool.</summary>
internal sealed class PipelineSystem(string name, CandidatePipeline pipeline, ICandidateRanker ranker, int k,
    bool intentSignals = true, bool learnsUsage = false) : IEvalSystem
{
    public string Name => name;

    public bool IntentSignals => intentSignals;

    public bool LearnsUsage => learnsUsage;

    public async Task<IReadOnlyList<string>> RankAsync(PredictionContext context, CancellationToken cancellationToken) =>
        [.. (await pipeline.RankAsync(context, k, ranker, cancellationToken)).Ranked.Select(c => c.Operation.Key)];
}
