using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>Which runs of digits are phone numbers.</summary>
internal static partial class PhoneRules
{
    private static readonly SearchValues<char> Separators = SearchValues.Create(" .-/()");

    /// <param name="run">Digit groups with their separators, as <c>PiiDetector</c> scanned them.</param>
    /// <param name="context">The text or the field name says a phone number comes here.</param>
    public static bool IsPhone(ReadOnlySpan<char> run, bool context)
    {
        var digits = 0;
        foreach (var c in run)
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
        }

        if (DateLike().IsMatch(run))
        {
            return false;
        }

        // International: "+44 20 7946 0958", "+14155550123". Country codes never start with 0.
        if (run[0] == '+')
        {
            return digits is >= 8 and <= 15 && run[1] != '0';
        }

        // The "00" international prefix, written with separators ("0044 20 7946 0000"); compact it is an id.
        if (run.StartsWith("00") && run.Length > 2 && run[2] is >= '1' and <= '9' && digits is >= 10 and <= 17
            && run.ContainsAny(Separators))
        {
            return true;
        }

        if (Nanp().IsMatch(run) || (TrunkPrefixed().IsMatch(run) && digits is >= 9 and <= 12))
        {
            return true;
        }

        return context && digits is >= 7 and <= 15;
    }

    [GeneratedRegex(@"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?: \d{1,2})?$")]
    private static partial Regex DateLike();

    // North America: "(415) 555-0132", "415.555.0132", "1-800-555-0199". Area codes and exchanges start with 2-9.
    [GeneratedRegex(@"^(?:1[ .\-]?)?(?:\([2-9]\d\d\) ?|[2-9]\d\d[ .\-])[2-9]\d\d[ .\-]\d{4}$")]
    private static partial Regex Nanp();

    // National numbers with a trunk 0, written in groups: "020 7946 0958", "06 12 34 56 78", "030/1234567",
    // "(02) 9876 5432", "03-1234-5678". Without separators a leading-zero number is as likely an account or an id.
    [GeneratedRegex(@"^(?:\(0[1-9]\d{0,3}\) ?|0[1-9]\d{0,3}[ .\-/])\d{2,8}(?:[ .\-]\d{2,4}){0,4}$")]
    private static partial Regex TrunkPrefixed();
}

/// <summary>Payment card numbers: grouping as cards are printed, a Luhn check digit, and a known brand's prefix and
/// length (an IMEI passes Luhn too, but no brand issues 15-digit numbers starting with 4).</summary>
internal static class CardRules
{
    public static bool IsCardNumber(ReadOnlySpan<char> value)
    {
        Span<byte> digits = stackalloc byte[19];
        Span<int> groups = stackalloc int[19];
        var count = 0;
        var groupCount = 0;
        var groupLength = 0;
        var separator = '\0';
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = (byte)(c - '0');
                groupLength++;
                continue;
            }

            if (separator != '\0' && c != separator)
            {
                return false;
            }

            separator = c;
            groups[groupCount++] = groupLength;
            groupLength = 0;
        }

        groups[groupCount++] = groupLength;
        digits = digits[..count];
        return count is >= 13 and <= 19 && IsCardGrouping(groups[..groupCount]) && Luhn(digits) && IsKnownBrand(digits);
    }

    private static bool IsCardGrouping(ReadOnlySpan<int> groups)
    {
        if (groups.Length == 1)
        {
            return true;
        }

        // Amex 4-6-5 and Diners 4-6-4; everything else in fours with a shorter tail.
        if (groups is [4, 6, 5] or [4, 6, 4])
        {
            return true;
        }

        if (groups.Length < 3)
        {
            return false;
        }

        for (var i = 0; i < groups.Length - 1; i++)
        {
            if (groups[i] != 4)
            {
                return false;
            }
        }

        return groups[^1] is >= 1 and <= 4;
    }

    public static bool Luhn(ReadOnlySpan<byte> digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            int d = digits[digits.Length - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    private static bool IsKnownBrand(ReadOnlySpan<byte> d)
    {
        var length = d.Length;
        var p2 = (d[0] * 10) + d[1];
        var p3 = (p2 * 10) + d[2];
        var p4 = (p3 * 10) + d[3];
        return d[0] switch
        {
            4 => length is 13 or 16 or 19,                                                    // Visa
            5 when p2 is >= 51 and <= 55 => length == 16,                                     // Mastercard
            2 when p4 is >= 2221 and <= 2720 => length == 16,                                 // Mastercard 2-series
            2 when p4 is >= 2200 and <= 2204 => length is >= 16 and <= 19,                    // Mir
            3 when p2 is 34 or 37 => length == 15,                                            // American Express
            3 when p3 is >= 300 and <= 305 || p2 is 36 or 38 or 39 => length is >= 14 and <= 19, // Diners Club
            3 when p4 is >= 3528 and <= 3589 => length is >= 16 and <= 19,                    // JCB
            6 when p4 == 6011 || p3 is >= 644 and <= 649 || p2 == 65 => length is >= 16 and <= 19, // Discover
            6 when p2 == 62 => length is >= 16 and <= 19,                                     // UnionPay
            5 or 6 when p4 is 5018 or 5020 or 5038 or 5893 or 6304 or 6759 or 6761 or 6762 or 6763 => length >= 13, // Maestro
            _ => false,
        };
    }
}

/// <summary>IBAN lengths per country (the ISO 13616 registry) and the mod-97 check.</summary>
internal static class IbanRules
{
    // Country code and length, as the registry lists them.
    private const string Registry =
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 "
        + "EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 "
        + "KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 "
        + "PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 "
        + "XK20 ";

    public static readonly FrozenDictionary<string, int> Lengths = Registry
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .ToFrozenDictionary(e => e[..2], e => int.Parse(e[2..], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    /// <summary>Moves the country and check digits to the end, reads letters as 10-35, and checks the number
    /// modulo 97 is 1; spaces are ignored.</summary>
    public static bool Mod97IsOne(ReadOnlySpan<char> iban)
    {
        var remainder = 0;
        var seen = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            seen = 0;
            foreach (var c in iban)
            {
                if (c == ' ')
                {
                    continue;
                }

                seen++;
                if ((pass == 0) == (seen <= 4))
                {
                    continue;
                }

                var value = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetterUpper(c) ? c - 'A' + 10 : -1;
                if (value < 0)
                {
                    return false;
                }

                remainder = value < 10 ? ((remainder * 10) + value) % 97 : ((remainder * 100) + value) % 97;
            }
        }

        return seen > 4 && remainder == 1;
    }
}
