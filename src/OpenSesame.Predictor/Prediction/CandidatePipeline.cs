using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// The heart of a prediction once the context is known: every generator proposes, the pool of k + buffer distinct
/// operations is described with features, the critic drops what must not be suggested and fills parameters, and the
/// ranker orders the rest. The service and the evaluation run exactly this.
/// </summary>
public sealed class CandidatePipeline(IEnumerable<ICandidateGenerator> generators, IOptions<PredictionOptions> options)
{
    private readonly ICandidateGenerator[] _generators = [.. generators];

    /// <summary>The whole reviewed pool, best first (callers take their k).</summary>
    public async Task<IReadOnlyList<Candidate>> RankAsync(PredictionContext context, int k, ICandidateRanker ranker,
        CancellationToken cancellationToken)
    {
        var pool = await CollectAsync(context, k + options.Value.CandidateBuffer, cancellationToken);
        return ranker.Rank(context, CandidateCritic.Review(context, pool), k);
    }

    /// <summary>Candidates of every generator, deduplicated by operation; the first proposer is the source.</summary>
    private async Task<List<Candidate>> CollectAsync(PredictionContext context, int count, CancellationToken cancellationToken)
    {
        var proposals = await Task.WhenAll(_generators.Select(g => g.GenerateAsync(context, count, cancellationToken).AsTask()));
        var byOperation = new Dictionary<int, Candidate>();
        foreach (var (generator, candidates) in _generators.Zip(proposals))
        {
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
            if (candidate.Features.Length == 0)
            {
                candidate.Features = extractor.Extract(candidate.Operation);
            }

            FeatureExtractor.SetGeneratorRanks(candidate.Features, candidate.GeneratorRanks);
        }

        return [.. byOperation.Values];
    }
}
