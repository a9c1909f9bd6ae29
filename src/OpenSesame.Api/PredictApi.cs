using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Api;

internal static class PredictApi
{
    public static IEndpointRouteBuilder MapPredictApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/predict", PredictAsync)
            .RequireAuthorization(AccessPolicy.Predict)
            .RequireUserRateLimit()
            .WithName("Predict")
            .WithSummary("Predict the next API calls")
            .WithDescription("Given an OpenAPI spec, the user's recent calls and an optional prompt, returns the k calls "
                             + "the user is most likely to make next, with parameters, scores and reasons.")
            .Accepts<PredictRequest>("application/json")
            .Produces<PredictResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    private static async Task<Results<JsonHttpResult<PredictResponse>, ValidationProblem, ProblemHttpResult>> PredictAsync(
        HttpRequest http, PredictionService predictions, CancellationToken cancellationToken)
    {
        if (http.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"Send the request as application/json, not {contentType}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        PredictRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<PredictRequest>(http.Body, ContractJson.Options, cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [FieldOf(ex.Path)] = [JsonReason(ex)] },
                title: "The request body is not valid JSON for this endpoint.");
        }

        return await predictions.PredictAsync(body, cancellationToken) switch
        {
            PredictionOutcome.Answered answered => TypedResults.Json(answered.Response, ContractJson.Options),
            PredictionOutcome.Refused refused => TypedResults.ValidationProblem(refused.Errors, title: refused.Title),
            PredictionOutcome.SpecUnusable unusable => TypedResults.Problem(unusable.Reason, title: "The spec could not be used.",
                statusCode: StatusCodes.Status422UnprocessableEntity),
            var other => throw new UnreachableException($"Unknown prediction outcome {other}."),
        };
    }

    // "$.events[0].ts" → "events[0].ts": the name the client wrote, without the JSON-path root.
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    // System.Text.Json names CLR types ("System.Nullable`1[System.Int32]"); clients think in JSON types.
    private static string JsonReason(JsonException ex)
    {
        var message = ex.Message;
        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            var expected = message switch
            {
                _ when message.Contains("Int32", StringComparison.Ordinal) => "an integer",
                _ when message.Contains("DateTimeOffset", StringComparison.Ordinal) => "an ISO 8601 date-time string",
                _ when message.Contains("Dictionary", StringComparison.Ordinal) => "an object",
                _ when message.Contains("List", StringComparison.Ordinal) => "an array",
                _ when message.Contains("EventBody", StringComparison.Ordinal) => "an object",
                _ when message.Contains("PredictRequest", StringComparison.Ordinal) => "an object",
                _ => "a string",
            };
            return $"The value has the wrong type: expected {expected}.";
        }

        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
