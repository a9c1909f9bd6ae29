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
            var body = new BodyBuffer();
            try
            {
                await body.ReadAsync(http, maxBytes, scanner, cancellationToken);
                return scanner is { Refused: true }
                    ? (null, TypedResults.ValidationProblem(scanner.Errors(), title: PredictRequestValidator.InvalidFieldsTitle))
                    : (JsonSerializer.Deserialize<T>(body.Json, ContractJson.Options), null);
            }
            finally
            {
                // The deserialized body holds copies (strings, cloned JSON elements), nothing of the buffer.
                body.Release();
            }
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
    /// The whole body, to be deserialized at once. Deserializing from the stream kept the body's largest value in a
    /// buffer from the shared <c>ArrayPool</c>, grown by doubling, and the pool keeps what it is given back, per thread,
    /// for a minute and more: after eight 26 MB bodies it held 514 MB that no collection could free. Here the first
    /// <see cref="PooledBytes"/> come from the pool (most bodies fit: a history and a prompt are a few kilobytes), and
    /// a larger body gets an array of its own, of its declared length, that the collector takes back after the
    /// request. A body over the limit ends in <see cref="LimitPassedException"/> as soon as the limit is passed (a
    /// chunked one has no length to refuse it by). Once the scanner refuses the body, the rest is read only for the
    /// scanner to count it, and so that the client, still sending, reads the answer.
    /// </summary>
    private sealed class BodyBuffer
    {
        private const int PooledBytes = 1024 * 1024;

        private byte[] _buffer = [];
        private byte[]? _rented;
        private int _filled;

        public ReadOnlySpan<byte> Json => _buffer.AsSpan(0, _filled);

        public async Task ReadAsync(HttpRequest http, long maxBytes, PredictBodyScanner? scanner, CancellationToken cancellationToken)
        {
            // One byte beyond a declared length, so the read that finds the end needs no larger array.
            var expected = http.ContentLength is { } length ? length + 1 : (long?)null;
            _buffer = _rented = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(PooledBytes, expected ?? PooledBytes));
            long total = 0;
            while (true)
            {
                if (_filled == _buffer.Length)
                {
                    Grow(expected);
                }

                var refused = scanner is { Refused: true };
                var into = refused ? _buffer.AsMemory(0, Math.Min(_buffer.Length, PooledBytes)) : _buffer.AsMemory(_filled);
                var read = await http.Body.ReadAsync(into, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                total += read;
                if (total > maxBytes)
                {
                    throw new LimitPassedException();
                }

                scanner?.Observe(into.Span[..read]);
                _filled = refused ? _filled : _filled + read;
            }
        }

        public void Release()
        {
            if (_rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(_rented);
                _rented = null;
            }

            _buffer = [];
        }

        // To the declared length at once, else by doubling (chunked).
        private void Grow(long? expected)
        {
            var size = expected is { } declared && declared > _buffer.Length ? declared : (long)_buffer.Length * 2;
            // Uninitialised: only the bytes read into it are ever looked at, and zeroing megabytes is not free.
            var larger = GC.AllocateUninitializedArray<byte>((int)Math.Min(size, Array.MaxLength));
            _buffer.AsSpan(0, _filled).CopyTo(larger);
            _buffer = larger;
        }
    }

    private sealed class LimitPassedException : Exception;
}
