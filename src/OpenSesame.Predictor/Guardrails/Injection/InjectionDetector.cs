using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Guardrails.Injection;

/// <summary>
/// Finds instructions aimed at a language model in what a client sends: the prompt, event endpoints, and every
/// string (and key) of event params, however deeply nested. Text is checked as sent, folded (invisible characters
/// gone, look-alike letters made plain), with letters typed one by one joined up, with leetspeak undone, as the
/// payload of tag characters, and, for runs that look like base64, decoded. The verdict names fields and rules only.
/// </summary>
public sealed partial class InjectionDetector(IOptions<InjectionOptions> options)
{
    private const int MaxBase64Depth = 2;
    private const int MaxBase64RunsPerText = 16;
    private const int MaxBase64RunLength = 64 * 1024;
    private const int MaxJsonDepth = 32;

    public InjectionAction Action => options.Value.Action;

    /// <summary>The rule names one text matches, sorted; empty when it reads as ordinary content.</summary>
    public static IReadOnlyList<string> Inspect(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length < 4)
        {
            return [];
        }

        var found = new HashSet<string>(StringComparer.Ordinal);
        Inspect(text, found, depth: 0);
        return [.. found.Order(StringComparer.Ordinal)];
    }

    /// <summary>Inspects the prompt and the events of a request; endpoints and params are read as the client sent them.</summary>
    public InjectionVerdict Inspect(string? prompt,
        IEnumerable<(string? Endpoint, IReadOnlyDictionary<string, JsonElement>? Params)> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!options.Value.Enabled)
        {
            return InjectionVerdict.Clean;
        }

        var findings = new List<InjectionFinding>();
        void Check(string field, string? text)
        {
            if (Inspect(text) is { Count: > 0 } rules)
            {
                findings.Add(new InjectionFinding(field, rules));
            }
        }

        Check("prompt", prompt);
        var index = 0;
        foreach (var (endpoint, parameters) in events)
        {
            Check($"events[{index}].endpoint", endpoint);
            if (parameters is not null)
            {
                var position = 0;
                foreach (var (key, value) in parameters)
                {
                    InspectJson($"events[{index}].params", key, position++, value, Check, depth: 0);
                }
            }

            index++;
        }

        return findings.Count == 0 ? InjectionVerdict.Clean : new InjectionVerdict(findings);
    }

    private static void InspectJson(string parent, string key, int position, JsonElement value,
        Action<string, string?> check, int depth)
    {
        // A key is named in the field only when it is a plain identifier: a key is client text too.
        var keyRules = Inspect(key);
        var field = keyRules.Count == 0 && PlainKey().IsMatch(key) ? $"{parent}.{key}" : $"{parent}.#{position}";
        if (keyRules.Count > 0)
        {
            check(field, key);
        }

        InspectJson(field, value, check, depth);
    }

    private static void InspectJson(string field, JsonElement value, Action<string, string?> check, int depth)
    {
        if (depth > MaxJsonDepth)
        {
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                check(field, value.GetString());
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    InspectJson($"{field}[{i++}]", item, check, depth + 1);
                }

                break;
            case JsonValueKind.Object:
                var position = 0;
                foreach (var property in value.EnumerateObject())
                {
                    InspectJson(field, property.Name, position++, property.Value, check, depth + 1);
                }

                break;
        }
    }

    private static void Inspect(string text, HashSet<string> found, int depth)
    {
        var (folded, disguises) = TextFolding.Fold(text);
        var rules = new HashSet<string>(StringComparer.Ordinal);
        InjectionRules.Match(folded, rules);
        if (rules.Count > 0 && disguises != Disguise.None)
        {
            // Name the disguise only when the plain text would have got through without the folding.
            var plain = new HashSet<string>(StringComparer.Ordinal);
            InjectionRules.Match(TextFolding.Plain(text), plain);
            if (!rules.IsSubsetOf(plain))
            {
                AddDisguises(disguises, found);
            }
        }

        found.UnionWith(rules);
        MatchSpacedLetters(folded, found);
        if (Leet(folded) is { } unleeted)
        {
            var leet = new HashSet<string>(StringComparer.Ordinal);
            InjectionRules.Match(unleeted, leet);
            MatchSpacedLetters(unleeted, leet);
            if (!leet.IsSubsetOf(found))
            {
                found.UnionWith(leet);
                found.Add("evasion:leetspeak");
            }
        }

        if (TextFolding.TagPayload(text) is { } payload)
        {
            var hidden = new HashSet<string>(StringComparer.Ordinal);
            InjectionRules.Match(TextFolding.Fold(payload).Text, hidden);
            // Flag emoji spell a region code in tag characters ("gbsct"); sentences have no business there.
            if (hidden.Count > 0 || (payload.Count(char.IsAsciiLetter) >= 8 && payload.Contains(' ', StringComparison.Ordinal)))
            {
                found.UnionWith(hidden);
                found.Add(InjectionRules.HiddenText);
                found.Add("evasion:tag-characters");
            }
        }

        if (depth < MaxBase64Depth)
        {
            InspectBase64(TextFolding.WithoutInvisibles(text), found, depth);
        }
    }

    // Letters typed one by one: "i g n o r e", "i.g.n.o.r.e". Each run is joined back into a word in place, and the
    // joined letters are also read on their own, since runs typed without word gaps lose their word boundaries.
    private static void MatchSpacedLetters(string folded, HashSet<string> found)
    {
        var runs = SpacedLetterRuns(folded);
        if (runs.Count == 0)
        {
            return;
        }

        var rules = new HashSet<string>(StringComparer.Ordinal);
        var joined = new StringBuilder(folded.Length);
        var at = 0;
        foreach (var (start, length) in runs)
        {
            var letters = string.Concat(folded.AsSpan(start, length).ToArray().Where(char.IsLetter));
            joined.Append(folded, at, start - at).Append(letters);
            at = start + length;
            InjectionRules.MatchSquashed(letters, rules);
        }

        InjectionRules.Match(joined.Append(folded, at, folded.Length - at).ToString(), rules);
        if (!rules.IsSubsetOf(found))
        {
            found.UnionWith(rules);
            found.Add("evasion:spaced-letters");
        }
    }

    // Runs of at least four single letters, each after the first preceded by exactly one separator. One pass, so a
    // long text costs what its length does.
    private static List<(int Start, int Length)> SpacedLetterRuns(string text)
    {
        var runs = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            if (!IsSingleLetterAt(text, i))
            {
                i++;
                continue;
            }

            var start = i;
            var letters = 1;
            var end = i + 1;
            while (end + 1 < text.Length && IsSpacedLetterSeparator(text[end]) && IsSingleLetterAt(text, end + 1))
            {
                letters++;
                end += 2;
            }

            if (letters >= 4)
            {
                runs.Add((start, end - start));
            }

            i = end;
        }

        return runs;
    }

    private static bool IsSingleLetterAt(string text, int i) =>
        char.IsLetter(text[i]) && (i == 0 || !char.IsLetterOrDigit(text[i - 1]))
                               && (i + 1 == text.Length || !char.IsLetterOrDigit(text[i + 1]));

    private static bool IsSpacedLetterSeparator(char c) => c is ' ' or '.' or '-' or '_' or '*' or '·' or '|' or '/';

    // 1gn0r3 pr3v10u5 → ignore previous; only inside words that mix letters with digits or symbols.
    private static string? Leet(string folded)
    {
        StringBuilder? result = null;
        var i = 0;
        while (i < folded.Length)
        {
            if (!IsLeetChar(folded[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var (letters, others) = (0, 0);
            for (; i < folded.Length && IsLeetChar(folded[i]); i++)
            {
                _ = char.IsAsciiLetter(folded[i]) ? letters++ : others++;
            }

            if (letters > 0 && others > 0 && i - start >= 3)
            {
                result ??= new StringBuilder(folded);
                for (var j = start; j < i; j++)
                {
                    result[j] = Unleet(folded[j]);
                }
            }
        }

        return result?.ToString();
    }

    private static bool IsLeetChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '@' or '$' or '!' or '|' or '+';

    private static char Unleet(char c) => c switch
    {
        '0' => 'o',
        '1' or '!' or '|' => 'i',
        '3' => 'e',
        '4' or '@' => 'a',
        '5' or '$' => 's',
        '7' or '+' => 't',
        '8' => 'b',
        '9' => 'g',
        _ => c,
    };

    private static void InspectBase64(string text, HashSet<string> found, int depth)
    {
        var runs = 0;
        foreach (Match run in Base64Run().Matches(text))
        {
            if (runs++ == MaxBase64RunsPerText)
            {
                break;
            }

            // Long words and snake_case names are base64-shaped; encoded text nearly always mixes cases or digits.
            if (run.Length > MaxBase64RunLength || run.Value.All(c => char.IsAsciiLetterLower(c) || c == '_' || c == '-'))
            {
                continue;
            }

            if (DecodeText(run.Value) is { } decoded)
            {
                var inner = new HashSet<string>(StringComparer.Ordinal);
                Inspect(decoded, inner, depth + 1);
                if (inner.Count > 0)
                {
                    found.UnionWith(inner);
                    found.Add("evasion:base64");
                }
            }
        }
    }

    // The decoded bytes count only when they are text: valid UTF-8, mostly letters, with spaces between words.
    // Image data, hashes and ids decode to bytes that are not.
    private static string? DecodeText(string run)
    {
        var standard = run.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        if (standard.Length % 4 == 1)
        {
            standard = standard[..^1];
        }

        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        var bytes = new byte[standard.Length / 4 * 3];
        if (!Convert.TryFromBase64String(standard, bytes, out var written))
        {
            return null;
        }

        // Checked, not caught: most base64-looking runs (ids, hashes) are not text, and an exception per run would
        // cost every prediction that carries one.
        if (!System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, written)))
        {
            return null;
        }

        var decoded = Encoding.UTF8.GetString(bytes, 0, written);

        var letters = decoded.Count(char.IsLetter);
        var controls = decoded.Count(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));
        return decoded.Length >= 8 && controls == 0 && letters * 2 >= decoded.Length && decoded.Any(char.IsWhiteSpace)
            ? decoded
            : null;
    }

    private static void AddDisguises(Disguise disguises, HashSet<string> found)
    {
        foreach (var (flag, name) in new[]
                 {
                     (Disguise.ZeroWidth, "evasion:zero-width"), (Disguise.Bidi, "evasion:bidi"),
                     (Disguise.TagCharacters, "evasion:tag-characters"), (Disguise.FullWidth, "evasion:full-width"),
                     (Disguise.Homoglyph, "evasion:homoglyph"),
                 })
        {
            if (disguises.HasFlag(flag))
            {
                found.Add(name);
            }
        }
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{16,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Run();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainKey();
}
