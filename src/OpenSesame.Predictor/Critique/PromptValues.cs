using System.Text.RegularExpressions;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Critique;

/// <summary>
/// Values the prompt states for a parameter: "invoice in_123", "status to paid", "limit=50", "name 'Q2 report'".
/// Conservative on purpose: a bare word only counts after an explicit connector (=, :, to, is), so "invoice for
/// the customer" yields nothing.
/// </summary>
internal static partial class PromptValues
{
    public static string? Find(string? prompt, IEnumerable<string> names)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            return null;
        }

        foreach (var name in names.Where(n => n.Length > 1).Distinct())
        {
            var pattern = @"\b" + string.Join(@"[\s_\-]?", Tokenizer.Words(name).Select(Regex.Escape))
                + @"s?\b\s*(?<connector>=|:|\bto\b|\bis\b|\bas\b)?\s*(?:""(?<quoted>[^""]+)""|'(?<quoted>[^']+)'|(?<bare>[\w\-.@]+))";
            if (FirstValue(prompt, pattern) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    // The timeout guards against a pathological prompt; on a machine so loaded that even a normal match runs out of
    // time, the parameter is left unfilled rather than the prediction failed.
    private static string? FirstValue(string prompt, string pattern)
    {
        try
        {
            foreach (Match match in Regex.Matches(prompt, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
                         TimeSpan.FromMilliseconds(250)))
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
