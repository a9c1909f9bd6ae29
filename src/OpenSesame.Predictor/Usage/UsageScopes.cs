using System.Security.Cryptography;
using System.Text;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Usage;

/// <summary>
/// How layers and contexts are named in storage. Each caller (<see cref="UsageCaller"/>) has a layer, from which the
/// spec's crowd is made; a user has one too. Tenants, addresses and users are named by a digest of who they are, so the
/// store never holds an id in clear. A context is its operations' keys, oldest first, one per line,
/// <see cref="StartText"/> for a session's start, <see cref="OutsideText"/> for a call outside the spec. A prompt word's
/// context (<see cref="WordContextText"/>) is <see cref="WordPrefix"/> and the word, then the last call on the next line;
/// readers of call contexts skip it, since its first line names no operation.
/// </summary>
public static class UsageScopes
{
    /// <summary>The caller that is this process (the CLI, a replay); usage learned before callers were told apart
    /// moved here too.</summary>
    public const string Local = "local";

    public const string UserPrefix = "user:";

    public const string StartText = "^";

    public const string OutsideText = "?";

    public const string WordPrefix = "=";

    public static string Caller(UsageCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller switch
        {
            { Tenant.Length: > 0 } => "tenant:" + Digest(caller.Tenant),
            { Address.Length: > 0 } => "address:" + Digest(caller.Address),
            _ => Local,
        };
    }

    /// <summary>True for a caller's layer (part of the crowd), false for a user's.</summary>
    public static bool IsCaller(string scope) => !scope.StartsWith(UserPrefix, StringComparison.Ordinal);

    // The user id is only unique within its tenant.
    public static string? User(string? tenant, string? userId) => userId is { Length: > 0 } ? UserPrefix + Digest(tenant + "\n" + userId) : null;

    public static string ContextText(EndpointCatalog catalog, IReadOnlyList<int> before, int order) =>
        string.Join('\n', before.Skip(before.Count - order).Select(i => CallText(catalog, i)));

    /// <summary>The context of a prompt word after the call <paramref name="last"/> (see <see cref="UsageCounts.RecordWords"/>).</summary>
    public static string WordContextText(EndpointCatalog catalog, string word, int last) =>
        WordPrefix + word + "\n" + CallText(catalog, last);

    /// <summary>The word and last call of a word's context; null when it is not one, or names an operation the spec no
    /// longer has.</summary>
    public static (string Word, int Last)? ParseWordContext(string text, IReadOnlyDictionary<string, int> indexes)
    {
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return text.StartsWith(WordPrefix, StringComparison.Ordinal) && newline > WordPrefix.Length
            && ParseContext(text[(newline + 1)..], indexes) is [var last]
            ? (text[WordPrefix.Length..newline], last)
            : null;
    }

    private static string CallText(EndpointCatalog catalog, int index) => index switch
    {
        UsageCounts.Start => StartText,
        UsageCounts.Outside => OutsideText,
        _ => catalog.Operations[index].Key,
    };

    /// <summary>The context's operations by index; null when it names an operation the spec no longer has.</summary>
    public static int[]? ParseContext(string text, IReadOnlyDictionary<string, int> indexes)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var parts = text.Split('\n');
        var before = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == StartText)
            {
                before[i] = UsageCounts.Start;
            }
            else if (parts[i] == OutsideText)
            {
                before[i] = UsageCounts.Outside;
            }
            else if (indexes.TryGetValue(parts[i], out var index))
            {
                before[i] = index;
            }
            else
            {
                return null;
            }
        }

        return parts.Length > UsageCounts.MaxOrder ? null : before;
    }

    private static string Digest(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..24];
}
