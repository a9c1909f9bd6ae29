using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// Makes sure every prediction is in the cost ledger, so the cost per prediction and the share served without a call
/// read straight from it. A question to the language models is accounted where it is answered (the router, or the
/// response cache on a hit); a prediction that asked none (no provider has a key, or the request may not reach a
/// model) is recorded here as served by the local model at $0, with the reason.
/// </summary>
public sealed class PredictionAccounting
{
    private readonly ModelRouter _router;
    private readonly CostRecorder _recorder;
    private readonly LlmRollout _rollout;

    internal PredictionAccounting(ModelRouter router, CostRecorder recorder, LlmRollout rollout)
    {
        _router = router;
        _recorder = recorder;
        _rollout = rollout;
    }

    /// <summary>Records the prediction as local, unless one of its questions was accounted already.</summary>
    /// <param name="complexity">What made the request hard, as the router weighs it.</param>
    internal async Task EnsureAccountedAsync(PredictionContext context, ComplexityInput complexity, CancellationToken cancellationToken)
    {
        if (context.Trace.Routes.Count > 0)
        {
            return;
        }

        var score = ComplexityScorer.Score(complexity).Score;
        var decision = context.Injection.Flagged
            ? _router.Local(RouteReasons.InjectionFlagged, "The request reads as instructions to a language model: local only.", score)
            : !await _rollout.IsEnabledAsync(LlmRollout.LlmCandidates, context.UserId)
                ? _router.Local(RouteReasons.RolloutExcluded, "This user is outside the rollout of LLM candidates (FeatureManagement:LlmCandidates): local only.", score)
                // No question was asked because no provider can serve; the router says so, or that the budget is spent.
                : _router.Decide(new RouteRequest(0, score) { MaxCostUsd = context.MaxCostUsd, Providers = [] });
        context.Trace.Routed(await _recorder.RecordAsync(decision,
            new RouteUsage(context.PredictionId, context.UserId, context.SessionId), cancellationToken));
    }
}
