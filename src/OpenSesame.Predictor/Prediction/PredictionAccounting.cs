using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// The one writer of a prediction's cost-ledger lines. While the prediction runs, the chat-client chain records each
/// of its questions on the prediction's trace, priced (the router: the model that answered and the tokens it
/// reported, or local at $0 when none did; the response cache: a hit at $0); the response's <c>cost_usd</c> and
/// <c>route</c>, and a review deciding whether the prediction can afford it, read them there. Once the prediction's
/// questions are done, this writes them to the ledger with <see cref="CostRecorder"/> (ledger line, running budget,
/// metrics, alerts), one line per question, in the order they were asked; a prediction that asked none (no provider
/// has a key, the user is outside the rollout, or the request may not reach a model) gets one line as served by the
/// local model at $0, with the reason. So the cost per prediction and the share served without a call read straight
/// from the ledger.
/// </summary>
public sealed class PredictionAccounting
{
    private readonly ModelRouter _router;
    private readonly RoutePricer _pricer;
    private readonly CostRecorder _recorder;
    private readonly LlmRollout _rollout;

    internal PredictionAccounting(ModelRouter router, RoutePricer pricer, CostRecorder recorder, LlmRollout rollout)
    {
        _router = router;
        _pricer = pricer;
        _recorder = recorder;
        _rollout = rollout;
    }

    /// <summary>Writes the prediction's lines to the cost ledger; called once, after its last question.</summary>
    /// <param name="complexity">What made the request hard, as the router weighs it (for the local line).</param>
    /// <param name="cancellationToken">Not passed to the writes: by now the questions were asked and what they cost
    /// was spent, so their lines are written even when the client has gone.</param>
    internal async Task EnsureAccountedAsync(PredictionContext context, ComplexityInput complexity, CancellationToken cancellationToken)
    {
        if (context.Trace.Routes.Count == 0)
        {
            context.Trace.Routed(await LocalAsync(context, complexity));
        }

        await AccountAskedAsync(context);
    }

    /// <summary>Writes the lines of the questions the prediction asked so far, and nothing for a prediction that asked
    /// none: for a prediction that ends without an answer (the client went away, a stage failed), whose questions were
    /// still paid for.</summary>
    internal async Task AccountAskedAsync(PredictionContext context)
    {
        var owner = new CostOwner(context.PredictionId, context.StoredUserId, context.SessionId);
        foreach (var route in context.Trace.Routes)
        {
            await _recorder.RecordAsync(owner, route, CancellationToken.None);
        }
    }

    /// <summary>Why no question was asked, as a priced local decision.</summary>
    private async Task<RouteDecision> LocalAsync(PredictionContext context, ComplexityInput complexity)
    {
        var score = ComplexityScorer.Score(complexity).Score;
        var decision = context.Injection.Flagged
            ? _router.Local(RouteReasons.InjectionFlagged, "The request reads as instructions to a language model: local only.", score)
            : !await _rollout.IsEnabledAsync(LlmRollout.LlmCandidates, context.UserId)
                ? _router.Local(RouteReasons.RolloutExcluded, "This user is outside the rollout of LLM candidates (FeatureManagement:LlmCandidates): local only.", score)
                // No question was asked because no provider can serve; the router says so, or that the budget is spent.
                : _router.Decide(new RouteRequest(0, score) { MaxCostUsd = context.MaxCostUsd, Providers = [] });
        return _pricer.Price(decision, new RouteUsage());
    }
}
