using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Api;

/// <summary>Reads a route's JSON body with the contract's options, answering what the client got wrong in its own terms:
/// 415 for a body that is not JSON, 400 naming the JSON path and the expected JSON type for one that does not fit.</summary>
internal static class ContractBody
{
    /// <returns>The body (null for a JSON <c>null</c>), or the problem to answer with instead.</returns>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest http, CancellationToken cancellationToken)
        where T : class
    {
        if (http.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, TypedResults.Problem($"Send the request as application/json, not {contentType}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        try
        {
            return (await JsonSerializer.DeserializeAsync<T>(http.Body, ContractJson.Options, cancellationToken), null);
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [FieldOf(ex.Path)] = [JsonReason(ex)] },
                title: "The request body is not valid JSON for this endpoint."));
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
                // The contract's own classes: PredictRequest, EventBody, FeedbackRequest, ChosenBody.
                _ when message.Contains("Request", StringComparison.Ordinal) => "an object",
                _ when message.Contains("Body", StringComparison.Ordinal) => "an object",
                _ => "a string",
            };
            return $"The value has the wrong type: expected {expected}.";
        }

        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
