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
            await using var body = new CappedStream(http.Body, maxBytes);
            if (scanner is null)
            {
                return (await JsonSerializer.DeserializeAsync<T>(body, ContractJson.Options, cancellationToken), null);
            }

            var scanned = new ScannedStream(body, scanner);
            try
            {
                return (await JsonSerializer.DeserializeAsync<T>(scanned, ContractJson.Options, cancellationToken), null);
            }
            catch (ScannedStream.RefusedException)
            {
            }

            // The client is still sending; reading the rest lets it read the answer, and the scanner counts it all.
            await scanned.DrainAsync(cancellationToken);
            return (null, TypedResults.ValidationProblem(scanner.Errors(), title: PredictRequestValidator.InvalidFieldsTitle));
        }
        catch (Exception ex) when (ex is CappedStream.LimitPassedException
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

    /// <summary>The request body, ending in an exception once more than the limit has been read: a body without a
    /// Content-Length (chunked) is refused at the limit, not after it was read whole.</summary>
    private sealed class CappedStream(Stream inner, long maxBytes) : ReadOnlyBodyStream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        private int Count(int read)
        {
            _read += read;
            return _read > maxBytes ? throw new LimitPassedException() : read;
        }

        // Not an IOException: the serializer would wrap that in a JsonException, answered as malformed JSON.
        internal sealed class LimitPassedException : Exception;
    }

    /// <summary>The body shown to a <see cref="PredictBodyScanner"/> as it is read, ending in an exception once the
    /// scanner refuses it: the deserializer has by then buffered only the start of the value that is too long.</summary>
    private sealed class ScannedStream(Stream inner, PredictBodyScanner scanner) : ReadOnlyBodyStream
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            Scan(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Scan(buffer.Span[..read]);
        }

        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int read;
                while ((read = await inner.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    scanner.Observe(buffer.AsSpan(0, read));
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private int Scan(ReadOnlySpan<byte> read)
        {
            scanner.Observe(read);
            return scanner.Refused ? throw new RefusedException() : read.Length;
        }

        // Not an IOException, for the same reason as the capped stream's.
        internal sealed class RefusedException : Exception;
    }
}
