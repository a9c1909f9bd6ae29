using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// The heart of a prediction once the context is known: every generator proposes, the pool of k + buffer distinct
/// operations is described with features, the critic drops what must not be suggested and fills parameters, and the
/// ranker orders the rest; an optional reviewer may veto doubtful suggestions. The service and the evaluation run
/// exactly this.
/// </summary>
public sealed class CandidatePipeline(IEnumerable<ICandidateGenerator> generators, IOptions<PredictionOptions> options,
    TimeProvider time, IEnumerable<ICandidateReviewer>? reviewers = null)
{
    private readonly ICandidateGenerator[] _generators = [.. generators];
    private readonly ICandidateReviewer[] _reviewers = [.. reviewers ?? []];

    /// <summary>The whole reviewed pool, best first (callers take their k).</summary>
    public async Task<IReadOnlyList<Candidate>> RankAsync(PredictionContext context, int k, ICandidateRanker ranker,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var pool = await CollectAsync(context, k + options.Value.CandidateBuffer, cancellationToken);
        context.Trace.Stage("generate", time.GetElapsedTime(started));

        started = time.GetTimestamp();
        var reviewed = CandidateCritic.Review(context, pool);
        context.Trace.Stage("critique", time.GetElapsedTime(started));

        started = time.GetTimestamp();
        var ranked = ranker.Rank(context, reviewed, k);
        context.Trace.Stage("rank", time.GetElapsedTime(started));

        foreach (var reviewer in _reviewers)
        {
            started = time.GetTimestamp();
            ranked = await reviewer.ReviewAsync(context, ranked, k, cancellationToken);
            context.Trace.Stage("review", time.GetElapsedTime(started));
        }

        return ranked;
    }

    /// <summary>Candidates of every generator, deduplicated by operation; the source names every proposer ("local+llm").</summary>
    private async Task<List<Candidate>> CollectAsync(PredictionContext context, int count, CancellationToken cancellationToken)
    {
        var proposals = _generators.Length == 1
            ? [await GenerateAsync(_generators[0], context, count, cancellationToken)]
            // Each on its own thread: a generator waiting on a language model must not wait for the local one first.
            : await Task.WhenAll(_generators.Select(g => Task.Run(() => GenerateAsync(g, context, count, cancellationToken), cancellationToken)));
        var byOperation = new Dictionary<int, Candidate>();
        var answered = new List<string>();
        foreach (var (generator, candidates) in _generators.Zip(proposals))
        {
            if (candidates.Count > 0)
            {
                answered.Add(generator.Name);
                context.Trace.Contributed(generator.Name);
            }

            for (var rank = 0; rank < candidates.Count; rank++)
            {
                var candidate = candidates[rank];
                if (!byOperation.TryGetValue(candidate.Operation.Index, out var existing))
                {
                    byOperation[candidate.Operation.Index] = existing = candidate;
                }

                existing.GeneratorRanks[generator.Name] = rank;
                existing.ProposedReason ??= candidate.ProposedReason;
                foreach (var (name, value) in candidate.ProposedParams)
                {
                    existing.ProposedParams.TryAdd(name, value);
                }
            }
        }

        var extractor = FeatureExtractor.For(context);
        foreach (var candidate in byOperation.Values)
        {
            candidate.Source = string.Join('+', _generators.Where(g => candidate.GeneratorRanks.ContainsKey(g.Name)).Select(g => g.Name));
            if (candidate.Features.Length == 0)
            {
                candidate.Features = extractor.Extract(candidate.Operation);
            }

            FeatureExtractor.SetGeneratorRanks(candidate.Features, candidate.GeneratorRanks, answered);
        }

        return [.. byOperation.Values];
    }

    private async Task<IReadOnlyList<Candidate>> GenerateAsync(ICandidateGenerator generator, PredictionContext context,
        int count, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            return await generator.GenerateAsync(context, count, cancellationToken);
        }
        finally
        {
            context.Trace.Stage("generate." + generator.Name, time.GetElapsedTime(started));
        }
    }
}
