using System.Diagnostics;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Api;

internal static class FeedbackApi
{
    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/feedback", RecordAsync)
            .RequireAuthorization(AccessPolicy.Feedback)
            .RequireUserRateLimit()
            .WithName("Feedback")
            .WithSummary("Say what became of a prediction")
            .WithDescription("Records the outcome of an earlier prediction: accepted (one of the suggestions was called: "
                             + "chosen {endpoint} or its rank), overridden (another call was made, or a suggestion changed) "
                             + "or ignored. One outcome per prediction: feedback replaces what the session's next request "
                             + "implied and any earlier feedback, and the same feedback repeated changes nothing and "
                             + "answers the same. Only the operation is stored, never parameter values.")
            .Accepts<FeedbackRequest>("application/json")
            .Produces<FeedbackResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return routes;
    }

    private static async Task<IResult> RecordAsync(HttpRequest http, FeedbackService feedback, CancellationToken cancellationToken)
    {
        var (body, problem) = await ContractBody.ReadAsync<FeedbackRequest>(http, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // 200 whether the outcome was new, replaced or already there: a repeated request gets the very same answer.
        return await feedback.RecordAsync(body, cancellationToken) switch
        {
            FeedbackResult.Stored stored => TypedResults.Json(stored.Response, ContractJson.Options),
            FeedbackResult.Refused refused => TypedResults.ValidationProblem(refused.Errors, title: refused.Title),
            FeedbackResult.UnknownPrediction unknown => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such prediction.",
                detail: $"No prediction '{Shorten(unknown.PredictionId)}' is logged: the id is not one a /predict answer gave, "
                        + "or it was made while outcomes were off, or it is past retention."),
            var other => throw new UnreachableException($"Unknown feedback result {other}."),
        };
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
