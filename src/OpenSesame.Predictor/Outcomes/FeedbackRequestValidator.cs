using OpenSesame.Predictor.Context;

namespace OpenSesame.Predictor.Outcomes;

/// <summary>A <c>POST /feedback</c> body whose fields are well-formed; whether they fit the prediction is checked once
/// it is found.</summary>
/// <param name="Chosen">The call made, parsed; null when the body gave a rank or nothing was chosen.</param>
internal sealed record Feedback(string PredictionId, OutcomeKind Kind, (string Method, string Path)? Chosen, int? Rank);

/// <summary>
/// Checks a <c>POST /feedback</c> body field by field and reports every problem at once under the field's name, as
/// <c>/predict</c> does. "accepted" and "overridden" name the call made, by <c>chosen</c> or by <c>rank</c> (one of
/// them); "ignored" names none.
/// </summary>
internal static class FeedbackRequestValidator
{
    private const int MaxIdLength = 128;

    public static IDictionary<string, string[]> Validate(FeedbackRequest? body, out Feedback? feedback)
    {
        feedback = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body is null)
        {
            errors["body"] = ["A JSON object is required."];
            return errors;
        }

        var id = body.PredictionId?.Trim();
        if (string.IsNullOrEmpty(id))
        {
            errors["prediction_id"] = ["prediction_id is required: the prediction_id of the /predict answer this is about."];
        }
        else if (id.Length > MaxIdLength)
        {
            errors["prediction_id"] = [$"prediction_id is at most {MaxIdLength} characters long."];
        }

        var kind = OutcomeNames.KindOf(body.Outcome);
        if (kind is null)
        {
            errors["outcome"] = [body.Outcome is null
                ? "outcome is required: accepted, overridden or ignored."
                : "outcome is accepted, overridden or ignored."];
        }

        (string Method, string Path)? chosen = null;
        if (body.Chosen is { } given)
        {
            chosen = HistoryEvent.ParseEndpoint(given.Endpoint);
            if (chosen is null)
            {
                errors["chosen.endpoint"] = [given.Endpoint is null
                    ? "chosen.endpoint is required when chosen is given: \"METHOD /path\"."
                    : "chosen.endpoint is \"METHOD /path\", for example \"POST /v1/invoices/in_123/finalize\"."];
            }
        }

        if (body.Rank is < 1)
        {
            errors["rank"] = ["rank is the 1-based place of the suggestion taken; it is at least 1."];
        }

        switch (kind)
        {
            case OutcomeKind.Ignored when body.Chosen is not null || body.Rank is not null:
                errors[body.Chosen is not null ? "chosen" : "rank"] =
                    ["An ignored prediction names no call: leave out chosen and rank (a call other than the suggestions is overridden)."];
                break;
            case OutcomeKind.Accepted or OutcomeKind.Overridden when body.Chosen is null && body.Rank is null:
                errors["chosen"] = [$"{OutcomeNames.Of(kind.Value)} needs the call made: chosen {{\"endpoint\": \"METHOD /path\"}}, or rank."];
                break;
            case OutcomeKind.Accepted or OutcomeKind.Overridden when body.Chosen is not null && body.Rank is not null:
                errors["rank"] = ["Give chosen or rank, not both."];
                break;
        }

        if (errors.Count == 0)
        {
            feedback = new Feedback(id!, kind!.Value, chosen, body.Rank);
        }

        return errors;
    }
}
