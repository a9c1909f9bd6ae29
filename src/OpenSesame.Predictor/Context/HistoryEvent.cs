using System.Text.Json;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Context;

/// <summary>One call the user made, as the client reported it: "METHOD /path" (concrete or templated) and its params.</summary>
public sealed record HistoryEvent(DateTimeOffset? Timestamp, string Method, string Path,
    IReadOnlyDictionary<string, JsonElement> Params)
{
    public static readonly IReadOnlyDictionary<string, JsonElement> NoParams = new Dictionary<string, JsonElement>();

    public string Endpoint => $"{Method} {Path}";

    /// <summary>Parses "METHOD /path"; returns null when the text is not of that shape.</summary>
    public static (string Method, string Path)? ParseEndpoint(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        var parts = endpoint.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !IsHttpMethod(parts[0]) || parts[1].Length == 0)
        {
            return null;
        }

        var path = parts[1];
        return path.StartsWith('/') || path.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? (parts[0].ToUpperInvariant(), path)
            : null;
    }

    private static bool IsHttpMethod(string word) =>
        word.ToUpperInvariant() is "GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD" or "OPTIONS" or "TRACE";
}

/// <summary>An event mapped onto the spec.</summary>
public sealed record ResolvedEvent(HistoryEvent Event, PathMatch Match)
{
    public ApiOperation? Operation => Match.Kind is MatchKind.Exact or MatchKind.Path or MatchKind.Alias ? Match.Operation : null;

    /// <summary>What the call did: the operation's kind, or for calls the spec does not declare, what the method says.</summary>
    public OperationKind Kind => Operation?.Kind ?? Event.Method switch
    {
        "GET" or "HEAD" => Match.Shape?.EndsWithParameter == true ? OperationKind.Read : OperationKind.List,
        "POST" => OperationKind.Action,
        "DELETE" => OperationKind.Delete,
        _ => OperationKind.Update,
    };
}
