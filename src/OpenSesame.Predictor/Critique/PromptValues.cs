using System.Text.RegularExpressions;
using OpenSesame.Predictor.Caching;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Critique;

/// <summary>
/// Values the prompt states for a parameter: "invoice in_123", "status to paid", "limit=50", "name 'Q2 report'".
/// Conservative on purpose: a bare word only counts after an explicit connector (=, :, to, is), so "invoice for
/// the customer" yields nothing.
/// </summary>
internal static partial class PromptValues
{
    // One pattern per parameter name, and a pool asks for the same names again and again (every GitHub candidate has an
    // owner and a repo): each is built once, not parsed and compiled on every ask as with Regex's own cache of 15 and a
    // spec's hundreds of names. Bounded, since names come from every spec the service has seen.
    private static readonly LruCache<string, Regex> Patterns = new(2048, StringComparer.Ordinal);

    public static string? Find(string? prompt, IEnumerable<string> names)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            return null;
        }

        foreach (var name in names.Where(n => n.Length > 1).Distinct())
        {
            if (FirstValue(prompt, PatternFor(name)) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    private static Regex PatternFor(string name)
    {
        if (Patterns.TryGet(name, out var regex))
        {
            return regex;
        }

        var pattern = @"\b" + string.Join(@"[\s_\-]?", Tokenizer.Words(name).Select(Regex.Escape))
            + @"s?\b\s*(?<connector>=|:|\bto\b|\bis\b|\bas\b)?\s*(?:""(?<quoted>[^""]+)""|'(?<quoted>[^']+)'|(?<bare>[\w\-.@]+))";
        return Patterns.GetOrAdd(name, new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
            TimeSpan.FromMilliseconds(250)));
    }

    // The timeout guards against a pathological prompt; on a machine so loaded that even a normal match runs out of
    // time, the parameter is left unfilled rather than the prediction failed.
    private static string? FirstValue(string prompt, Regex pattern)
    {
        try
        {
            foreach (Match match in pattern.Matches(prompt))
            {
                if (match.Groups["quoted"].Success)
                {
                    return match.Groups["quoted"].Value;
                }

                var bare = match.Groups["bare"].Value;
                if (LooksLikeId(bare) || (match.Groups["connector"].Success && Tokenizer.Terms(bare).Count > 0))
                {
                    return bare.TrimEnd('.');
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }

        return null;
    }

    private static bool LooksLikeId(string token) =>
        token.Any(char.IsDigit) || (token.Contains('_', StringComparison.Ordinal) && token.Length > 3) || token.Contains('@', StringComparison.Ordinal);
}
