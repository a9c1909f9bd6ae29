using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Api;

/// <summary>Reads a route's JSON body with the contract's options, answering what the client got wrong in its own terms:
/// 415 for a body that is not JSON, 413 for one over <see cref="RequestBodyOptions.MaxBodyBytes"/>, 400 naming the
/// JSON path and the expected JSON type for one that does not fit, or that names a property twice.</summary>
internal static class ContractBody
{
    /// <param name="scanner">Follows the body as it is read and stops the reading once a value is far over its limit:
    /// the rest is read through it and discarded, and its problems are the answer (400).</param>
    /// <returns>The body (null for a JSON <c>null</c>), or the problem to answer with instead.</returns>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest http, CancellationToken cancellationToken,
        PredictBodyScanner? scanner = null)
        where T : class
    {
        if (http.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, TypedResults.Problem($"Send the request as application/json, not {contentType}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        var maxBytes = http.HttpContext.RequestServices.GetRequiredService<IOptions<RequestBodyOptions>>().Value.MaxBodyBytes;
        if (http.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        try
        {
            var json = await ReadAllAsync(http, maxBytes, scanner, cancellationToken);
            if (scanner is { Refused: true })
            {
                return (null, TypedResults.ValidationProblem(scanner.Errors(), title: PredictRequestValidator.InvalidFieldsTitle));
            }

            return (JsonSerializer.Deserialize<T>(json.Span, ContractJson.Options), null);
        }
        catch (Exception ex) when (ex is LimitPassedException
                                   || (ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }))
        {
            return (null, TooLarge(maxBytes));
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [FieldOf(ex.Path)] = [JsonReason(ex)] },
                title: "The request body is not valid JSON for this endpoint."));
        }
    }

    public static ProblemHttpResult TooLarge(long maxBytes) => TypedResults.Problem(
        $"The request body is larger than the limit of {maxBytes} bytes (Requests:MaxBodyBytes); send a large spec by spec_url.",
        title: "The request body is too large.", statusCode: StatusCodes.Status413PayloadTooLarge);

    // "$.events[0].ts" → "events[0].ts": the name the client wrote, without the JSON-path root.
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    // System.Text.Json names CLR types ("System.Nullable`1[System.Int32]"); clients think in JSON types.
    private static string JsonReason(JsonException ex)
    {
        var message = ex.Message;

        // A lone surrogate (\ud800) or bytes that are not UTF-8 fail inside the string converter, which reports them
        // as a value of the wrong type; the value is a string, its text is what is broken.
        if (ex.InnerException is InvalidOperationException inner
            && (inner.Message.Contains("UTF", StringComparison.Ordinal) || inner.Message.Contains("surrogate", StringComparison.OrdinalIgnoreCase)))
        {
            return "The text is not valid Unicode: it holds an unpaired surrogate (\\ud800-\\udfff) or bytes that are not UTF-8.";
        }

        if (message.StartsWith("Duplicate", StringComparison.Ordinal))
        {
            return "A property appears twice in the same object; send each property once.";
        }

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

    /// <summary>
    /// The whole body, in an array of its own that the garbage collector takes back after the request. Deserializing
    /// from the stream kept the body's largest value in a buffer from the shared <c>ArrayPool</c>, grown by doubling,
    /// and the pool keeps what it is given back, per thread, for a minute and more: after eight 26 MB bodies it held
    /// 514 MB that no collection could free. A body over <paramref name="maxBytes"/> ends in
    /// <see cref="LimitPassedException"/> as soon as the limit is passed (a chunked one has no length to refuse it by).
    /// Once <paramref name="scanner"/> refuses the body, the rest is read only for the scanner to count it, and so
    /// that the client, still sending, reads the answer.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> ReadAllAsync(HttpRequest http, long maxBytes, PredictBodyScanner? scanner,
        CancellationToken cancellationToken)
    {
        const int FirstSize = 64 * 1024;
        // One byte beyond a declared length, so the read that finds the end needs no larger array.
        var expected = http.ContentLength is { } length ? length + 1 : (long?)null;
        var buffer = new byte[(int)Math.Min(FirstSize, expected ?? FirstSize)];
        var filled = 0;
        long total = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                var larger = (long)buffer.Length * 2;
                var size = Math.Min(larger, expected ?? larger);
                Array.Resize(ref buffer, (int)Math.Min(size > buffer.Length ? size : larger, Array.MaxLength));
            }

            var refused = scanner is { Refused: true };
            var read = await http.Body.ReadAsync(refused ? buffer.AsMemory(0, Math.Min(buffer.Length, FirstSize)) : buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return buffer.AsMemory(0, filled);
            }

            total += read;
            if (total > maxBytes)
            {
                throw new LimitPassedException();
            }

            scanner?.Observe(buffer.AsSpan(refused ? 0 : filled, read));
            filled = refused ? filled : filled + read;
        }
    }

    private sealed class LimitPassedException : Exception;
}
