using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Outcomes;

/// <summary>How a feedback request ended. Hosts translate each case into their transport and nothing else.</summary>
public abstract record FeedbackResult
{
    private FeedbackResult()
    {
    }

    /// <summary>The outcome now stored for the prediction.</summary>
    public sealed record Stored(FeedbackResponse Response) : FeedbackResult;

    /// <summary>No logged prediction has this id: never made, made while outcomes were off, or past retention.</summary>
    public sealed record UnknownPrediction(string PredictionId) : FeedbackResult;

    /// <summary>Every bad field named, with what is wrong with it.</summary>
    public sealed record Refused(string Title, IDictionary<string, string[]> Errors) : FeedbackResult;
}

/// <summary>
/// Explicit outcomes (<c>POST /feedback</c>): checks the body, finds the logged prediction, turns the call made into
/// the operation template and its place among the suggestions, and stores it as the prediction's one outcome. Explicit
/// feedback replaces an implicit outcome and an earlier explicit one (the client's latest word counts); repeating the
/// same feedback changes nothing and answers the same.
/// </summary>
public sealed class FeedbackService(IOutcomeStore store, SpecProvider specs, IOptions<OutcomeOptions> options, TimeProvider time)
{
    public async Task<FeedbackResult> RecordAsync(FeedbackRequest? body, CancellationToken cancellationToken)
    {
        var errors = FeedbackRequestValidator.Validate(body, out var feedback);
        if (feedback is null)
        {
            return new FeedbackResult.Refused("The feedback has invalid fields.", errors);
        }

        var served = options.Value.Enabled ? await store.FindServedAsync(feedback.PredictionId, cancellationToken) : null;
        if (served is null)
        {
            return new FeedbackResult.UnknownPrediction(feedback.PredictionId);
        }

        var (chosen, rank, problem) = Choice(feedback, served);
        if (problem is not null)
        {
            return new FeedbackResult.Refused("The feedback does not fit the prediction.", problem);
        }

        var stored = await store.RecordOutcomeAsync(
            new RecordedOutcome(served.PredictionId, feedback.Kind, OutcomeSource.Explicit, chosen, rank, time.GetUtcNow()),
            cancellationToken);
        return stored is null
            ? new FeedbackResult.UnknownPrediction(feedback.PredictionId)
            : new FeedbackResult.Stored(FeedbackResponse.From(stored));
    }

    private (string? Chosen, int? Rank, IDictionary<string, string[]>? Problem) Choice(Feedback feedback, ServedPrediction served)
    {
        var shown = Math.Min(served.Served, served.Candidates.Count);
        if (feedback.Rank is { } rank)
        {
            return rank <= shown
                ? (served.Candidates[rank - 1].Endpoint, rank, null)
                : (null, null, Problem("rank", $"The prediction showed {shown} suggestions; rank is between 1 and {shown}."));
        }

        if (feedback.Chosen is not var (method, path))
        {
            return (null, null, null);
        }

        var endpoint = ChosenEndpoint.Resolve(method, path, served, specs.Cached(served.SpecHash));
        if (endpoint is null)
        {
            return (null, null, Problem("chosen.endpoint", $"{method} {Shorten(path)} is not an operation of the spec the prediction was made on."));
        }

        var place = served.RankOf(endpoint);
        return feedback.Kind == OutcomeKind.Accepted && place is null
            ? (null, null, Problem("chosen.endpoint",
                $"{endpoint} was not among the {shown} suggestions; a call other than the suggestions is overridden."))
            : (endpoint, place, null);
    }

    private static Dictionary<string, string[]> Problem(string field, string message) => new(StringComparer.Ordinal) { [field] = [message] };

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
