using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Guardrails.Destructive;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// One prediction, end to end: the spec becomes a catalog, the history is resolved against it, and the
/// <see cref="CandidatePipeline"/> generates, critiques and ranks; the response carries the top k.
/// </summary>
public sealed class PredictionPipeline(
    SpecProvider specs,
    CandidatePipeline candidates,
    IRankerSource rankers,
    SentenceEmbedder embedder,
    DestructiveCallPolicy destructive,
    IOptions<PredictionOptions> options,
    TimeProvider time)
{
    /// <exception cref="SpecException">The spec cannot be obtained or parsed.</exception>
    public async Task<PredictResponse> PredictAsync(PredictionRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var ranker = rankers.Current;
        var spec = await specs.GetAsync(request.Spec, cancellationToken);
        var context = PredictionContext.Create(spec.Catalog, request.Events, request.Prompt, time.GetUtcNow(),
            options.Value.SemanticRetrieval ? embedder : null, options.Value.DataFlow, destructive);
        var ranked = await candidates.RankAsync(context, request.K, ranker, cancellationToken);

        var predictions = ranked.Take(request.K).Select(c => new PredictionBody(
            c.Operation.Key, c.Params, Math.Round(c.Score, 4), c.Why, c.Source, c.Destructive)).ToList();
        return new PredictResponse(
            predictions,
            Guid.CreateVersion7(time.GetUtcNow()).ToString(),
            ranker.Version,
            spec.FromCache,
            Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3),
            0m);
    }
}
