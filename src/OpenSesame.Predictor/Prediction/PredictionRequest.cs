using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Prediction;

/// <summary>A validated prediction request, as the pipeline sees it.</summary>
public sealed record PredictionRequest(
    string? UserId,
    string? SessionId,
    IReadOnlyList<HistoryEvent> Events,
    string? Prompt,
    SpecSource Spec,
    int K)
{
    /// <summary>What prompt-injection detection found, when the request was inspected as it was validated; the
    /// pipeline inspects requests that arrive without a verdict.</summary>
    public InjectionVerdict? Injection { get; init; }

    /// <summary>The most this prediction's language-model calls may cost, in US dollars (<c>max_cost_usd</c>); the
    /// router picks a cheaper model, or none, to stay under it. None by default.</summary>
    public decimal? MaxCostUsd { get; init; }
}
