using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>One finding: where in the text, and what kind.</summary>
internal readonly record struct PiiMatch(PiiCategory Category, int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>What the name of a JSON field says about its value: a bare number in <c>"phone"</c> is a phone number,
/// the same number in <c>"order"</c> is not.</summary>
[Flags]
internal enum PiiFieldHint
{
    None = 0,
    Phone = 1,
    Ssn = 2,
}

/// <summary>
/// Finds personal data and secrets in free text. Each category has its own shape check and, where the shape allows
/// it, a checksum (Luhn for cards, mod-97 for IBANs, the SSA's rules for SSNs, a parser for IP addresses). The most
/// specific shapes claim their text first (a JWT inside a bearer header is a JWT; an API key in a URL's user part is
/// not an e-mail address), and a later finding never overlaps an earlier one.
/// Deterministic and stateless: the same text always gives the same findings.
/// </summary>
internal static partial class PiiDetector
{
    // Every pattern is linear or bounded; the timeout is a backstop, and callers fail closed when it fires.
    private const int TimeoutMilliseconds = 500;

    public static List<PiiMatch> Detect(string text, PiiFieldHint hint = PiiFieldHint.None)
    {
        if (text.Length < 3)
        {
            return [];
        }

        var found = new Findings();
        Jwts(text, found);
        ApiKeys(text, found);
        BearerTokens(text, found);
        Emails(text, found);
        Ibans(text, found);
        Cards(text, found);
        Ssns(text, hint, found);
        IpAddresses(text, found);
        Phones(text, hint, found);
        return found.Sorted();
    }

    /// <summary>Reads a JSON field's name as context for its value ("customer_phone", "mobileNumber", "ssn").</summary>
    public static PiiFieldHint HintFor(string? fieldName)
    {
        if (string.IsNullOrEmpty(fieldName))
        {
            return PiiFieldHint.None;
        }

        var hint = PiiFieldHint.None;
        foreach (var word in FieldWords().EnumerateMatches(fieldName))
        {
            var w = fieldName.AsSpan(word.Index, word.Length);
            if (w.Equals("phone", StringComparison.OrdinalIgnoreCase) || w.Equals("telephone", StringComparison.OrdinalIgnoreCase)
                || w.Equals("tel", StringComparison.OrdinalIgnoreCase) || w.Equals("mobile", StringComparison.OrdinalIgnoreCase)
                || w.Equals("cell", StringComparison.OrdinalIgnoreCase) || w.Equals("cellphone", StringComparison.OrdinalIgnoreCase)
                || w.Equals("fax", StringComparison.OrdinalIgnoreCase) || w.Equals("msisdn", StringComparison.OrdinalIgnoreCase)
                || w.Equals("sms", StringComparison.OrdinalIgnoreCase) || w.Equals("whatsapp", StringComparison.OrdinalIgnoreCase))
            {
                hint |= PiiFieldHint.Phone;
            }
            else if (w.Equals("ssn", StringComparison.OrdinalIgnoreCase))
            {
                hint |= PiiFieldHint.Ssn;
            }
        }

        if (fieldName.Contains("phone", StringComparison.OrdinalIgnoreCase))
        {
            hint |= PiiFieldHint.Phone;
        }

        if (fieldName.Contains("socialsecurity", StringComparison.OrdinalIgnoreCase)
            || fieldName.Contains("social_security", StringComparison.OrdinalIgnoreCase))
        {
            hint |= PiiFieldHint.Ssn;
        }

        return hint;
    }

    // ------------------------------------------------------------------ secrets

    private static void Jwts(string text, Findings found)
    {
        if (!text.Contains("eyJ", StringComparison.Ordinal))
        {
            return;
        }

        // A header and a payload that are base64url JSON objects ("eyJ" is how '{"' + a letter encodes), and a
        // signature that may be empty for unsigned tokens.
        foreach (var m in Jwt().EnumerateMatches(text))
        {
            found.TryAdd(PiiCategory.Jwt, m.Index, m.Length);
        }
    }

    private static void ApiKeys(string text, Findings found)
    {
        foreach (var m in ApiKey().EnumerateMatches(text))
        {
            var key = text.AsSpan(m.Index, m.Length);
            // Slack and OpenAI-style prefixes also start placeholders ("xoxb-your-token"); real keys carry digits.
            if ((key.StartsWith("xox") || key.StartsWith("sk-")) && !key.ContainsAnyInRange('0', '9'))
            {
                continue;
            }

            // The part after the prefix ("sk_live_", "github_pat_", "xoxb-"; AWS ids have none).
            if (IsPlaceholder(key[(key[..Math.Min(key.Length, 13)].LastIndexOfAny('_', '-') + 1)..]))
            {
                continue;
            }

            found.TryAdd(PiiCategory.ApiKey, m.Index, m.Length);
        }
    }

    private static void BearerTokens(string text, Findings found)
    {
        if (!text.Contains("earer", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        foreach (Match m in Bearer().Matches(text))
        {
            var token = m.Groups[1];
            var length = token.Length;
            while (length > 0 && text[token.Index + length - 1] == '.')
            {
                length--;
            }

            if (LooksLikeToken(text.AsSpan(token.Index, length)))
            {
                found.TryAdd(PiiCategory.BearerToken, token.Index, length);
            }
        }
    }

    // "Bearer token", "Bearer YOUR_API_KEY" and "Bearer authentication" are prose and placeholders, not credentials.
    private static bool LooksLikeToken(ReadOnlySpan<char> token)
    {
        if (token.Length < 8 || IsPlaceholder(token))
        {
            return false;
        }

        if (token.ContainsAnyInRange('0', '9'))
        {
            return true;
        }

        return token.Length >= 20 && token.ContainsAnyInRange('a', 'z') && token.ContainsAnyInRange('A', 'Z');
    }

    // "sk_live_XXXXXXXXXXXXXXXX", "xxxxxxxx-xxxx": documentation fills the shape with one or two characters; a
    // random secret of that length uses many.
    private static bool IsPlaceholder(ReadOnlySpan<char> body)
    {
        Span<char> distinct = stackalloc char[4];
        var count = 0;
        foreach (var c in body)
        {
            if (c is '_' or '-' || distinct[..count].Contains(c))
            {
                continue;
            }

            if (count == distinct.Length)
            {
                return false;
            }

            distinct[count++] = c;
        }

        return true;
    }

    // ------------------------------------------------------------------ e-mail

    private static readonly HashSet<string> FileExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic",
    };

    private static void Emails(string text, Findings found)
    {
        if (!text.Contains('@') && !text.Contains("%40", StringComparison.Ordinal))
        {
            return;
        }

        foreach (var m in Email().EnumerateMatches(text))
        {
            // "icon@2x.png" is an image at double resolution, not a mailbox.
            var value = text.AsSpan(m.Index, m.Length);
            var tld = value[(value.LastIndexOf('.') + 1)..].ToString();
            if (!FileExtensions.Contains(tld))
            {
                found.TryAdd(PiiCategory.Email, m.Index, m.Length);
            }
        }
    }

    // ------------------------------------------------------------------ financial

    private static void Ibans(string text, Findings found)
    {
        foreach (Match m in Iban().Matches(text))
        {
            if (!IbanRules.Lengths.TryGetValue(m.Groups[1].Value, out var expected))
            {
                continue;
            }

            // The pattern runs on through any upper-case word after the number; the country's length says where
            // the IBAN ends, and it must end at a group boundary.
            var compact = 0;
            var end = m.Index;
            while (end < m.Index + m.Length && compact < expected)
            {
                if (text[end] != ' ')
                {
                    compact++;
                }

                end++;
            }

            if (compact < expected || (end < m.Index + m.Length && text[end] != ' '))
            {
                continue;
            }

            if (IbanRules.Mod97IsOne(text.AsSpan(m.Index, end - m.Index)))
            {
                found.TryAdd(PiiCategory.Iban, m.Index, end - m.Index);
            }
        }
    }

    private static void Cards(string text, Findings found)
    {
        foreach (var m in Card().EnumerateMatches(text))
        {
            var value = text.AsSpan(m.Index, m.Length);
            if (CardRules.IsCardNumber(value))
            {
                found.TryAdd(PiiCategory.Card, m.Index, m.Length);
            }
        }
    }

    private static void Ssns(string text, PiiFieldHint hint, Findings found)
    {
        foreach (Match m in SsnDashed().Matches(text))
        {
            if (IsValidSsn(m.Groups[1].ValueSpan, m.Groups[2].ValueSpan, m.Groups[3].ValueSpan))
            {
                found.TryAdd(PiiCategory.Ssn, m.Index, m.Length);
            }
        }

        // Without dashes nine digits are just a number, unless the text (or the field) says it is an SSN.
        foreach (Match m in SsnNamed().Matches(text))
        {
            var number = m.Groups["n"];
            if (IsValidSsn(m.Groups["a"].ValueSpan, m.Groups["g"].ValueSpan, m.Groups["s"].ValueSpan))
            {
                found.TryAdd(PiiCategory.Ssn, number.Index, number.Length);
            }
        }

        if (hint.HasFlag(PiiFieldHint.Ssn) && SsnAlone().Match(text) is { Success: true } alone
            && IsValidSsn(alone.Groups["a"].ValueSpan, alone.Groups["g"].ValueSpan, alone.Groups["s"].ValueSpan))
        {
            found.TryAdd(PiiCategory.Ssn, alone.Index, alone.Length);
        }
    }

    // Area 000, 666 and 900-999, group 00 and serial 0000 are never issued.
    private static bool IsValidSsn(ReadOnlySpan<char> area, ReadOnlySpan<char> group, ReadOnlySpan<char> serial) =>
        area is not "000" and not "666" && area[0] != '9' && group is not "00" && serial is not "0000";

    // ------------------------------------------------------------------ network

    private static void IpAddresses(string text, Findings found)
    {
        if (text.Contains(':'))
        {
            foreach (var m in Ipv6().EnumerateMatches(text))
            {
                if (IsIpv6(text.AsSpan(m.Index, m.Length)))
                {
                    found.TryAdd(PiiCategory.IpAddress, m.Index, m.Length);
                }
            }
        }

        foreach (var m in Ipv4().EnumerateMatches(text))
        {
            // "Version=1.0.0.0", "version 2.1.0.4": four-part version numbers look exactly like addresses.
            var before = text.AsSpan(Math.Max(0, m.Index - 16), Math.Min(16, m.Index));
            if (!VersionWordBefore().IsMatch(before))
            {
                found.TryAdd(PiiCategory.IpAddress, m.Index, m.Length);
            }
        }
    }

    private static bool IsIpv6(ReadOnlySpan<char> candidate)
    {
        if (!IPAddress.TryParse(candidate, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        // "dead::beef" and "Cafe::Bad" parse, but are words; real addresses carry digits.
        if (!candidate.ContainsAnyInRange('0', '9'))
        {
            return false;
        }

        // "items[::2]" is a Python slice. Of the addresses that start with "::", only the loopback and those with
        // at least two groups after it (mapped IPv4, "::ffff:c000:280") are written in practice.
        if (candidate.StartsWith("::") && candidate is not "::1")
        {
            return candidate[2..].Count(':') >= 1 || candidate[2..].Contains('.');
        }

        return true;
    }

    // ------------------------------------------------------------------ phone numbers

    private static void Phones(string text, PiiFieldHint hint, Findings found)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsRunStart(text, i))
            {
                continue;
            }

            var end = ScanNumberRun(text, i);
            if (end <= i)
            {
                continue;
            }

            if (EndsCleanly(text, end)
                && PhoneRules.IsPhone(text.AsSpan(i, end - i), hint.HasFlag(PiiFieldHint.Phone) || PhoneWordBefore(text, i)))
            {
                found.TryAdd(PiiCategory.Phone, i, end - i);
            }

            i = end - 1;
        }
    }

    // A number starts where a word would: not inside an id (in_123, ORD-2024-001234), an amount (1,234) or a path.
    private static bool IsRunStart(string text, int i)
    {
        var c = text[i];
        var previous = i > 0 ? text[i - 1] : ' ';
        if (char.IsLetterOrDigit(previous) || previous is '_' or '+')
        {
            return false;
        }

        return c switch
        {
            '+' => i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] == '('),
            '(' => i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]),
            _ when char.IsAsciiDigit(c) => previous is not ('-' or '.' or '/' or '%' or '#' or '@' or '$' or '€' or '£' or ',')
                                           && !(previous == ':' && i > 1 && char.IsAsciiDigit(text[i - 2])),
            _ => false,
        };
    }

    // Digit groups joined by one separator each (space, dot, dash, slash) or by parentheses: "+49 (0)89 1234 5678".
    private static int ScanNumberRun(string text, int start)
    {
        var pos = start;
        if (text[pos] == '+')
        {
            pos++;
        }

        var lastGood = -1;
        while (pos < text.Length)
        {
            if (text[pos] == '(')
            {
                var close = pos + 1;
                while (close < text.Length && close - pos <= 5 && char.IsAsciiDigit(text[close]))
                {
                    close++;
                }

                if (close == pos + 1 || close >= text.Length || text[close] != ')')
                {
                    break;
                }

                pos = close + 1;
                if (pos + 1 < text.Length && text[pos] == ' ' && char.IsAsciiDigit(text[pos + 1]))
                {
                    pos++;
                }
            }

            var digits = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                pos++;
            }

            if (pos == digits && (pos == 0 || text[pos - 1] != ')'))
            {
                break;
            }

            lastGood = pos;
            if (pos + 1 < text.Length && text[pos] is ' ' or '.' or '-' or '/'
                && (char.IsAsciiDigit(text[pos + 1]) || text[pos + 1] == '('))
            {
                pos++;
                continue;
            }

            break;
        }

        return lastGood;
    }

    private static bool EndsCleanly(string text, int end)
    {
        if (end >= text.Length)
        {
            return true;
        }

        var next = text[end];
        if (char.IsLetterOrDigit(next) || next is '_' or '@' or '%')
        {
            return false;
        }

        return !(next is '-' or '/' && end + 1 < text.Length && char.IsLetter(text[end + 1]));
    }

    private static bool PhoneWordBefore(string text, int start)
    {
        var from = Math.Max(0, start - 32);
        return PhoneWord().IsMatch(text.AsSpan(from, start - from));
    }

    // ------------------------------------------------------------------ patterns

    // Words of snake_case, kebab-case and camelCase names, acronyms whole: "applicantSSN" is "applicant", "SSN".
    [GeneratedRegex(@"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex FieldWords();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Jwt();

    // Stripe secret and restricted keys, GitHub tokens (classic and fine-grained), AWS access key ids, Slack tokens,
    // Google API keys, Anthropic and OpenAI keys.
    [GeneratedRegex(@"\b(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}"
                    + @"|(?:AKIA|ASIA)[A-Z0-9]{16}|xox[abeopr]-[A-Za-z0-9-]{10,}|AIza[A-Za-z0-9_-]{35}|sk-[A-Za-z0-9_-]{20,})"
                    + @"(?![A-Za-z0-9_-])", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex ApiKey();

    // RFC 6750's b64token, plus '|' (Laravel Sanctum); "%20" when the header sits in a query string.
    [GeneratedRegex(@"\b[Bb][Ee][Aa][Rr][Ee][Rr](?:[ \t]+|%20)([A-Za-z0-9._~+/|-]+=*)", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_][A-Za-z0-9._%+'-]{0,63}(?:@|%40)"
                    + @"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])",
        RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![A-Za-z0-9])([A-Z]{2})\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Iban();

    [GeneratedRegex(@"(?<![\w+\-.,/])\d(?:[ \-]?\d){12,18}(?![\w\-]|[.,]\d)", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Card();

    [GeneratedRegex(@"(?<![\w\-])(\d{3})-(\d{2})-(\d{4})(?![\w\-])", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex SsnDashed();

    [GeneratedRegex(@"(?<![A-Za-z])(?:ssn|social\s+security(?:\s+(?:number|no\.?))?)(?![A-Za-z])[\s:=#'""()\-]{0,6}(?:is\s+)?"
                    + @"(?<n>(?<a>\d{3})(?<sep>[ -]?)(?<g>\d{2})\k<sep>(?<s>\d{4}))(?![\w\-])",
        RegexOptions.IgnoreCase, TimeoutMilliseconds)]
    private static partial Regex SsnNamed();

    [GeneratedRegex(@"^\s*(?<a>\d{3})(?<sep>[ -]?)(?<g>\d{2})\k<sep>(?<s>\d{4})\s*$", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex SsnAlone();

    [GeneratedRegex(@"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:])",
        RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Ipv6();

    [GeneratedRegex(@"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\w|\.\d)",
        RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Ipv4();

    // Words that put a version, not an address, before a four-part dotted number.
    [GeneratedRegex(@"(?:\bv|\b(?:version|ver\.?|build|release|firmware|fw|driver|kernel|bios|sdk|agent|client|os|update|upgrade|patch))\s*[=:]?\s*$",
        RegexOptions.IgnoreCase, TimeoutMilliseconds)]
    private static partial Regex VersionWordBefore();

    // "phone: ", "mobile no. ", "phone_number=", "my cell is ", "call me on ": what a person writes before a number.
    [GeneratedRegex(@"(?<![A-Za-z])(?:phone|telephone|tel|mobile|cell(?:phone)?|fax|sms|whats ?app|contact number"
                    + @"|(?:call|text|reach|ring)\s+(?:me|us))(?:[ _-]?(?:number|no\.?|num|nr\.?|#))?\s*(?:[:=#.]|is|at|on|to)?\s*[""']?\s*$",
        RegexOptions.IgnoreCase, TimeoutMilliseconds)]
    private static partial Regex PhoneWord();

    /// <summary>Findings so far; a new one is kept only where no earlier (more specific) one lies.</summary>
    private sealed class Findings
    {
        private readonly List<PiiMatch> _matches = [];

        public void TryAdd(PiiCategory category, int start, int length)
        {
            if (length <= 0)
            {
                return;
            }

            foreach (var m in _matches)
            {
                if (start < m.End && m.Start < start + length)
                {
                    return;
                }
            }

            _matches.Add(new PiiMatch(category, start, length));
        }

        public List<PiiMatch> Sorted()
        {
            _matches.Sort((a, b) => a.Start.CompareTo(b.Start));
            return _matches;
        }
    }
}
