using System.Text.Json;

namespace OpenSesame.Predictor.Outcomes;

/// <summary>Body of <c>POST /feedback</c>: what became of a prediction, told by the client.</summary>
public sealed class FeedbackRequest
{
    /// <summary>The <c>prediction_id</c> of a <c>/predict</c> answer.</summary>
    public string? PredictionId { get; set; }

    /// <summary>"accepted" (one of the suggestions was called), "overridden" (another call was made, or a suggestion
    /// was changed) or "ignored" (none was used).</summary>
    public string? Outcome { get; set; }

    /// <summary>The call made, for "accepted" and "overridden"; or give <see cref="Rank"/> instead.</summary>
    public ChosenBody? Chosen { get; set; }

    /// <summary>The 1-based place of the suggestion taken in the answer's <c>predictions</c>; or give
    /// <see cref="Chosen"/> instead.</summary>
    public int? Rank { get; set; }
}

/// <summary>The call the user made: <c>"POST /v1/invoices/in_123/finalize"</c> or its template.</summary>
public sealed class ChosenBody
{
    public string? Endpoint { get; set; }

    /// <summary>Accepted for the client's convenience and never stored: outcomes keep operations, not values.</summary>
    public Dictionary<string, JsonElement>? Params { get; set; }
}

/// <summary>Body of a successful <c>POST /feedback</c> answer: the outcome stored for the prediction.</summary>
/// <param name="Outcome">"accepted", "overridden" or "ignored".</param>
/// <param name="Source">"explicit" (told through <c>/feedback</c>) or "implicit" (seen in the session's next request).</param>
/// <param name="Chosen">The operation called; null for "ignored".</param>
/// <param name="RecordedAt">When this outcome was first stored in this form: a repeated identical feedback keeps it.</param>
public sealed record FeedbackResponse(
    string PredictionId,
    string Outcome,
    string Source,
    FeedbackChoice? Chosen,
    DateTimeOffset RecordedAt)
{
    public static FeedbackResponse From(RecordedOutcome outcome) => new(
        outcome.PredictionId,
        OutcomeNames.Of(outcome.Kind),
        OutcomeNames.Of(outcome.Source),
        outcome.Chosen is null ? null : new FeedbackChoice(outcome.Chosen, outcome.Rank),
        outcome.At);
}

/// <param name="Endpoint">"METHOD /template" as the spec spells the operation; when the spec was no longer at hand and
/// the call was none of the logged candidates, the call with every segment that is not a word of their templates
/// replaced by <c>{?}</c>, so that no id is kept.</param>
/// <param name="Rank">Its 1-based place among the suggestions shown; null when it was not one of them.</param>
public sealed record FeedbackChoice(string Endpoint, int? Rank);

/// <summary>The wire names of outcome kinds and sources.</summary>
public static class OutcomeNames
{
    public const string Accepted = "accepted";
    public const string Overridden = "overridden";
    public const string Ignored = "ignored";
    public const string Explicit = "explicit";
    public const string Implicit = "implicit";

    public static string Of(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Accepted => Accepted,
        OutcomeKind.Overridden => Overridden,
        OutcomeKind.Ignored => Ignored,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Of(OutcomeSource source) => source switch
    {
        OutcomeSource.Explicit => Explicit,
        OutcomeSource.Implicit => Implicit,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    public static OutcomeKind? KindOf(string? name) => name?.Trim().ToUpperInvariant() switch
    {
        "ACCEPTED" => OutcomeKind.Accepted,
        "OVERRIDDEN" => OutcomeKind.Overridden,
        "IGNORED" => OutcomeKind.Ignored,
        _ => null,
    };

    public static OutcomeSource? SourceOf(string? name) => name switch
    {
        Explicit => OutcomeSource.Explicit,
        Implicit => OutcomeSource.Implicit,
        _ => null,
    };
}
