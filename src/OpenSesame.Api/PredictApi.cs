using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

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
        HttpRequest http, PredictionPipeline pipeline, PiiRequestGuard privacy, InjectionDetector injection,
        IOptions<PredictionOptions> options,
        CancellationToken cancellationToken)
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

        var errors = PredictRequestValidator.Validate(body, options.Value, out var request, injection);
        if (request is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The request has invalid fields.");
        }

        var refused = privacy.Check(request);
        if (refused.Count > 0)
        {
            return TypedResults.ValidationProblem(refused, title: "The request carries personal data this service refuses.");
        }

        try
        {
            return TypedResults.Json(await pipeline.PredictAsync(request, cancellationToken), ContractJson.Options);
        }
        catch (SpecException ex)
        {
            return TypedResults.Problem(ex.Message, title: "The spec could not be used.",
                statusCode: StatusCodes.Status422UnprocessableEntity);
        }
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
