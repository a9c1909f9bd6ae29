using System.Security.Cryptography;
using System.Text;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Usage;

/// <summary>
/// How layers and contexts are named in storage. The crowd layer is <see cref="Crowd"/>; a tenant's and a user's are a
/// digest of who they are, so the store never holds an id in clear. A context is its operations' keys, oldest first,
/// one per line, <see cref="StartText"/> for a session's start.
/// </summary>
public static class UsageScopes
{
    public const string Crowd = "";

    public const string StartText = "^";

    public static string? Tenant(string? tenant) => tenant is { Length: > 0 } ? "tenant:" + Digest(tenant) : null;

    // The user id is only unique within its tenant.
    public static string? User(string? tenant, string? userId) => userId is { Length: > 0 } ? "user:" + Digest(tenant + "\n" + userId) : null;

    public static string ContextText(EndpointCatalog catalog, IReadOnlyList<int> before, int order) =>
        string.Join('\n', before.Skip(before.Count - order).Select(i => i == UsageCounts.Start ? StartText : catalog.Operations[i].Key));

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
