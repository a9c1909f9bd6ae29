using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Guardrails.Destructive;
using OpenSesame.Predictor.Guardrails.Injection;
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
    InjectionDetector injection,
    IOptions<PredictionOptions> options,
    TimeProvider time,
    ILogger<PredictionPipeline> logger)
{
    /// <exception cref="SpecException">The spec cannot be obtained or parsed.</exception>
    public async Task<PredictResponse> PredictAsync(PredictionRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var ranker = rankers.Current;
        var predictionId = Guid.CreateVersion7(time.GetUtcNow()).ToString();
        var verdict = request.Injection ?? injection.Inspect(request.Prompt,
            request.Events.Select(e => ((string?)e.Endpoint, (IReadOnlyDictionary<string, JsonElement>?)e.Params)));
        if (verdict.Flagged)
        {
            logger.LogWarning("Prediction {PredictionId} reads as instructions to a language model ({Findings}); local models only.",
                predictionId, verdict.ToString());
        }

        var spec = await specs.GetAsync(request.Spec, cancellationToken);
        var context = PredictionContext.Create(spec.Catalog, request.Events, request.Prompt, time.GetUtcNow(),
            options.Value.SemanticRetrieval ? embedder : null, options.Value.DataFlow, destructive, verdict);
        var ranked = await candidates.RankAsync(context, request.K, ranker, cancellationToken);

        var predictions = ranked.Take(request.K).Select(c => new PredictionBody(
            c.Operation.Key, c.Params, Math.Round(c.Score, 4), c.Why, c.Source, c.Destructive)).ToList();
        return new PredictResponse(
            predictions,
            predictionId,
            ranker.Version,
            spec.FromCache,
            Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3),
            0m,
            verdict.Flagged ? new InjectionBody(verdict.Fields, verdict.Rules, "local_only") : null);
    }
}
