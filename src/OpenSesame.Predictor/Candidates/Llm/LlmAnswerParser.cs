using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>One call as the model proposed it, before the catalog has had its say.</summary>
public sealed record LlmProposal(string Endpoint, IReadOnlyDictionary<string, JsonElement> Params, string? Reason);

/// <summary>
/// Reads the model's answer: exactly <c>{"candidates": [{"endpoint": "METHOD /path", "params": {...}, "reason": "..."}]}</c>,
/// as a tool call's input, as the whole text, inside a code fence, or with prose around it. Models add fences and
/// chatter even when told not to, so those are forgiven; anything whose shape differs (another root, a candidate without a string endpoint,
/// params that are not an object, truncated JSON) rejects the whole answer, because a model that broke the format
/// once is not to be trusted for the rest of it.
/// </summary>
public static class LlmAnswerParser
{
    /// <summary>The proposals, or null when the answer is not of the required shape.</summary>
    public static IReadOnlyList<LlmProposal>? Parse(string? text) => ReadObject(text, "candidates", Read);

    /// <summary>The first complete JSON object in the text, read by <paramref name="read"/> when it has the
    /// <paramref name="root"/> property; null otherwise.</summary>
    internal static T? ReadObject<T>(string? text, string root, Func<JsonElement, T?> read)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // Try the places a JSON object can sit: each '{' in turn (the whole text and fenced blocks start at one of
        // them). The first that reads as a complete object decides; a later object is never preferred.
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var start = Array.IndexOf(bytes, (byte)'{'); start >= 0; start = Array.IndexOf(bytes, (byte)'{', start + 1))
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(start), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            JsonDocument? document;
            try
            {
                if (!JsonDocument.TryParseValue(ref reader, out document))
                {
                    continue;
                }
            }
            catch (JsonException)
            {
                continue;
            }

            using (document)
            {
                return document.RootElement.ValueKind == JsonValueKind.Object
                       && document.RootElement.TryGetProperty(root, out _)
                    ? read(document.RootElement)
                    : null;
            }
        }

        return null;
    }

    private static List<LlmProposal>? Read(JsonElement root)
    {
        var proposals = new List<LlmProposal>();
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != "candidates" || property.Value.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var item in property.Value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("endpoint", out var endpoint) || endpoint.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                var parameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                if (item.TryGetProperty("params", out var given) && given.ValueKind != JsonValueKind.Null)
                {
                    if (given.ValueKind != JsonValueKind.Object)
                    {
                        return null;
                    }

                    foreach (var parameter in given.EnumerateObject())
                    {
                        parameters[parameter.Name] = parameter.Value.Clone();
                    }
                }

                string? reason = null;
                if (item.TryGetProperty("reason", out var why) && why.ValueKind != JsonValueKind.Null)
                {
                    if (why.ValueKind != JsonValueKind.String)
                    {
                        return null;
                    }

                    reason = why.GetString();
                }

                // Other fields a model adds ("confidence") carry nothing we use; they do not break the shape.
                proposals.Add(new LlmProposal(endpoint.GetString()!, parameters, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim()));
            }
        }

        return proposals;
    }
}
