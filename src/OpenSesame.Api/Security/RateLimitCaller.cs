using System.Net;
using System.Text.Json;

namespace OpenSesame.Api.Security;

/// <summary>Whose requests a request counts with: its key's owner, else the body's <c>user_id</c>, else the client address.</summary>
/// <param name="Partition">The store's key, prefixed by kind so a user_id never shares a count with an owner.</param>
/// <param name="Kind">How the caller was recognised, in words, for the 429 answer.</param>
internal sealed record RateLimitCaller(string Partition, string Kind)
{
    /// <summary>How much of a body is read to find <c>user_id</c>: enough for the contract's order (it comes first),
    /// little enough that no body is held in memory twice.</summary>
    public const int UserIdScanBytes = 16 * 1024;

    private const int MaxUserIdLength = 200;

    public static async ValueTask<RateLimitCaller> ResolveAsync(HttpContext context)
    {
        if (context.User.Identity is { AuthenticationType: ApiKeyAuthenticationHandler.SchemeName, Name: { } owner })
        {
            return new("owner:" + owner, "API key owner");
        }

        if (await PeekUserIdAsync(context.Request, context.RequestAborted) is { } userId)
        {
            return new("user:" + userId, "user_id");
        }

        return new("ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? IPAddress.None.ToString()), "client address");
    }

    /// <summary>
    /// The top-level <c>user_id</c> of a JSON body, read before the endpoint runs without consuming the body.
    /// </summary>
    /// <remarks>
    /// The limiter has to decide before the endpoint reads the body, and the endpoint must still see every byte.
    /// <c>EnableBuffering</c> would do it by copying the whole body (to a temporary file past 30 KB) for every request;
    /// instead only the first <see cref="UserIdScanBytes"/> are read, and the request's body is replaced by a stream
    /// that replays them before the rest (<see cref="ReplayedBodyStream"/>), the way request decompression wraps it.
    /// A <c>user_id</c> after that prefix, or in a body that is not JSON, is not seen: the client address counts
    /// instead. A <c>user_id</c> is the caller's word, not proof: it is only used without keys, to keep one loopback
    /// tool's users from starving each other.
    /// </remarks>
    internal static async ValueTask<string?> PeekUserIdAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The endpoints read any body whose content type is absent or JSON; anything else they refuse unread.
        if (request.ContentLength == 0 || (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var prefix = new byte[(int)Math.Min(request.ContentLength ?? UserIdScanBytes, UserIdScanBytes)];
        var read = 0;
        int chunk;
        while (read < prefix.Length && (chunk = await request.Body.ReadAsync(prefix.AsMemory(read), cancellationToken)) > 0)
        {
            read += chunk;
        }

        if (read == 0)
        {
            return null;
        }

        request.Body = new ReplayedBodyStream(prefix.AsMemory(0, read), request.Body);
        var complete = read < prefix.Length || read == request.ContentLength;
        return FindUserId(prefix.AsSpan(0, read), complete);
    }

    /// <summary>The string value of the top-level <c>user_id</c> property (any case, as the endpoint binds it), if
    /// the bytes show one before they end or stop being JSON, and show it only once: a body naming it twice is refused
    /// by the endpoint (400), and counts against its client address rather than against either name.</summary>
    internal static string? FindUserId(ReadOnlySpan<byte> json, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock, default);
        string? found = null;
        var seen = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUserId = string.Equals(reader.GetString(), "user_id", StringComparison.OrdinalIgnoreCase);
                if (!reader.Read())
                {
                    break;
                }

                if (isUserId)
                {
                    if (seen)
                    {
                        return null;
                    }

                    seen = true;
                    found = reader.TokenType == JsonTokenType.String && reader.GetString()?.Trim() is { Length: > 0 and <= MaxUserIdLength } id
                        ? id
                        : null;
                }

                if (!reader.TrySkip())
                {
                    break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed JSON is the endpoint's to report, under the field it breaks.
        }
        catch (InvalidOperationException)
        {
            // A user_id that is not valid UTF-8 or holds a lone surrogate: the endpoint reports it.
            return null;
        }

        return found;
    }
}
