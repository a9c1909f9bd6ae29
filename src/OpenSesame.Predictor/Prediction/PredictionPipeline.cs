using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// One prediction, stage by stage: the spec becomes a catalog, the history is resolved against it, generators
/// propose a pool of k + buffer candidates, the critic drops what must not be suggested and fills parameters, and
/// the ranker orders what is left.
/// </summary>
public sealed class PredictionPipeline(
    SpecProvider specs,
    IEnumerable<ICandidateGenerator> generators,
    ICandidateRanker ranker,
    IOptions<PredictionOptions> options,
    TimeProvider time)
{
    private readonly ICandidateGenerator[] _generators = [.. generators];

    /// <exception cref="SpecException">The spec cannot be obtained or parsed.</exception>
    public async Task<PredictResponse> PredictAsync(PredictionRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var spec = await specs.GetAsync(request.Spec, cancellationToken);
        var context = PredictionContext.Create(spec.Catalog, request.Events, request.Prompt, time.GetUtcNow());

        var pool = await CollectAsync(context, request.K + options.Value.CandidateBuffer, cancellationToken);
        var reviewed = CandidateCritic.Review(context, pool);
        var ranked = ranker.Rank(context, reviewed);

        var predictions = ranked.Take(request.K).Select(c => new PredictionBody(
            c.Operation.Key, c.Params, Math.Round(c.Score, 4), c.Why, c.Source, c.Operation.IsDestructive)).ToList();
        return new PredictResponse(
            predictions,
            Guid.CreateVersion7(time.GetUtcNow()).ToString(),
            ranker.Version,
            spec.FromCache,
            Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3),
            0m);
    }

    /// <summary>Candidates of every generator, deduplicated by operation; the first proposer is the source.</summary>
    private async Task<List<Candidate>> CollectAsync(PredictionContext context, int count, CancellationToken cancellationToken)
    {
        var proposals = await Task.WhenAll(_generators.Select(g => g.GenerateAsync(context, count, cancellationToken).AsTask()));
        var byOperation = new Dictionary<int, Candidate>();
        var extractor = FeatureExtractor.For(context);
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
            }
        }

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
