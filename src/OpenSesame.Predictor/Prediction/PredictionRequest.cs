using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Predictor.Prediction;

/// <summary>A validated prediction request, as the pipeline sees it: made by <see cref="PredictRequestValidator"/> from a
/// client's <see cref="PredictRequest"/>, inspected for prompt injection on the way.</summary>
public sealed record PredictionRequest(
    string? UserId,
    string? SessionId,
    IReadOnlyList<HistoryEvent> Events,
    string? Prompt,
    SpecSource Spec,
    int K)
{
    /// <summary>What prompt-injection detection found when the request was validated. Required: a request that was
    /// never inspected cannot reach the pipeline.</summary>
    public required InjectionVerdict Injection { get; init; }

    /// <summary>The most this prediction's language-model calls may cost, in US dollars (<c>max_cost_usd</c>); the
    /// router picks a cheaper model, or none, to stay under it. None by default.</summary>
    public decimal? MaxCostUsd { get; init; }

    /// <summary>Whom the request's steps are learned for (the API key's owner, else the client's address); the
    /// process itself when the host knows of neither.</summary>
    public UsageCaller Caller { get; init; } = UsageCaller.Local;
}
