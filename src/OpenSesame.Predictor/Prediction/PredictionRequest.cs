using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Prediction;

/// <summary>A validated prediction request, as the pipeline sees it.</summary>
public sealed record PredictionRequest(
    string? UserId,
    string? SessionId,
    IReadOnlyList<HistoryEvent> Events,
    string? Prompt,
    SpecSource Spec,
    int K);
