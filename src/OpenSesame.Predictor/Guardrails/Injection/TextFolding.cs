using System.Text;

namespace OpenSesame.Predictor.Guardrails.Injection;

/// <summary>Ways text can hide its words from a plain match, as the folding found them.</summary>
[Flags]
internal enum Disguise
{
    None = 0,
    ZeroWidth = 1,
    Bidi = 2,
    TagCharacters = 4,
    FullWidth = 8,
    Homoglyph = 16,
}

/// <summary>
/// Folds text to the plain lower-case letters a reader (or a model) sees: invisible characters go, full-width,
/// mathematical, circled and small-capital letters and Cyrillic or Greek look-alikes become ASCII, accents go,
/// and whitespace becomes single spaces (line breaks stay, because role markers live at the start of lines).
/// </summary>
/// <remarks>
/// This stands in for NFKC: with <c>InvariantGlobalization</c> (set for the whole solution) <c>string.Normalize</c>
/// leaves every non-ASCII character as it is, so the compatibility mappings that matter for spelling letters are
/// folded here, by code point.
/// </remarks>
internal static class TextFolding
{
    private const int TagBase = 0xE0000;

    // Latin-1 Supplement and Latin Extended-A letters without their accents, from U+00C0.
    private const string LatinAccents =
        "AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty" +
        "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

    private static readonly Dictionary<int, string> LookAlikes = BuildLookAlikes();

    /// <summary>The folded text, and the disguises found on the way.</summary>
    public static (string Text, Disguise Disguises) Fold(string text) => Fold(text, plain: false);

    /// <summary>The text as sent, only lower-cased and with its whitespace folded: what a plain match would see.</summary>
    public static string Plain(string text) => Fold(text, plain: true).Text;

    private static (string Text, Disguise Disguises) Fold(string text, bool plain)
    {
        var builder = new StringBuilder(text.Length);
        var disguises = Disguise.None;
        var pendingSpace = false;
        foreach (var rune in text.EnumerateRunes())
        {
            var c = rune.Value;
            if (!plain && Invisible(c) is { } hidden)
            {
                disguises |= hidden;
                continue;
            }

            if (c is '\n' or '\r' or '\u2028' or '\u2029' or '\u0085')
            {
                TrimTrailingSpace(builder);
                if (builder.Length > 0 && builder[^1] != '\n')
                {
                    builder.Append('\n');
                }

                pendingSpace = false;
                continue;
            }

            if (Rune.IsWhiteSpace(rune))
            {
                pendingSpace = builder.Length > 0 && builder[^1] != '\n';
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            if (c < 0x80 || plain)
            {
                builder.Append(c < 0x80 ? char.ToLowerInvariant((char)c).ToString() : Rune.ToLowerInvariant(rune).ToString());
            }
            else if (c < 0x80)
            {
                builder.Append(char.ToLowerInvariant((char)c));
            }
            else if (c is >= 0xFF01 and <= 0xFF5E)
            {
                disguises |= Disguise.FullWidth;
                builder.Append(char.ToLowerInvariant((char)(c - 0xFEE0)));
            }
            else if (FoldLetter(c) is { } folded)
            {
                disguises |= Disguise.Homoglyph;
                builder.Append(folded);
            }
            else if (c is >= 0xC0 and < 0xC0 + 192 && LatinAccents[c - 0xC0] is var unaccented && char.IsAsciiLetter(unaccented))
            {
                builder.Append(char.ToLowerInvariant(unaccented));
            }
            else
            {
                builder.Append(Rune.ToLowerInvariant(rune).ToString());
            }
        }

        TrimTrailingSpace(builder);
        return (builder.ToString(), disguises);
    }

    /// <summary>The ASCII text spelled in Unicode tag characters (U+E0020–U+E007E), which render as nothing.</summary>
    public static string? TagPayload(string text)
    {
        StringBuilder? payload = null;
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is >= TagBase + 0x20 and <= TagBase + 0x7E)
            {
                (payload ??= new StringBuilder()).Append((char)(rune.Value - TagBase));
            }
        }

        return payload?.ToString();
    }

    /// <summary>Zero-width, bidi-control and tag characters removed; everything else as it was (case matters to base64).</summary>
    public static string WithoutInvisibles(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (Invisible(rune.Value) is null)
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    private static Disguise? Invisible(int c) => c switch
    {
        >= 0x200B and <= 0x200D or 0x2060 or 0x2061 or 0x2062 or 0x2063 or 0x2064 or 0xFEFF or 0x180E or 0x00AD
            or 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0 => Disguise.ZeroWidth,
        >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF => Disguise.ZeroWidth,
        >= 0x0300 and <= 0x036F => Disguise.Homoglyph,
        0x200E or 0x200F or 0x061C or >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069 => Disguise.Bidi,
        >= TagBase and <= TagBase + 0x7F => Disguise.TagCharacters,
        _ => null,
    };

    private static string? FoldLetter(int c)
    {
        // Mathematical alphanumerics: bold, italic, script, fraktur, double-struck, sans-serif, monospace, ...
        if (c is >= 0x1D400 and <= 0x1D6A3)
        {
            var offset = (c - 0x1D400) % 52;
            return ((char)(offset < 26 ? 'a' + offset : 'a' + offset - 26)).ToString();
        }

        if (c is >= 0x1D7CE and <= 0x1D7FF)
        {
            return ((char)('0' + ((c - 0x1D7CE) % 10))).ToString();
        }

        return c switch
        {
            >= 0x24B6 and <= 0x24CF => ((char)('a' + c - 0x24B6)).ToString(), // Ⓐ
            >= 0x24D0 and <= 0x24E9 => ((char)('a' + c - 0x24D0)).ToString(), // ⓐ
            >= 0x249C and <= 0x24B5 => ((char)('a' + c - 0x249C)).ToString(), // ⒜
            >= 0x1F130 and <= 0x1F149 => ((char)('a' + c - 0x1F130)).ToString(), // squared
            >= 0x1F150 and <= 0x1F169 => ((char)('a' + c - 0x1F150)).ToString(), // negative circled
            >= 0x1F170 and <= 0x1F189 => ((char)('a' + c - 0x1F170)).ToString(), // negative squared
            >= 0x1F1E6 and <= 0x1F1FF => ((char)('a' + c - 0x1F1E6)).ToString(), // regional indicators
            _ => LookAlikes.GetValueOrDefault(c),
        };
    }

    private static Dictionary<int, string> BuildLookAlikes()
    {
        var map = new Dictionary<int, string>();
        void Add(string from, string to)
        {
            var i = 0;
            foreach (var rune in from.EnumerateRunes())
            {
                map[rune.Value] = to[i++].ToString();
            }
        }

        // Cyrillic and Greek letters that look like Latin ones, upper and lower case.
        Add("АВЕКМНОРСТХУІЈЅԁаеорсухіјѕһԛԝӏɡ", "abekmhopctxyijsdaeopcyxijshqwlg");
        Add("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιερτυνκχ", "abezhikmnoptyxaoieptuvkx");
        Add("ıȷɑℓ", "ijal");

        // Small capitals, as "fancy text" generators spell.
        Add("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnopqrstuvwyz");

        // Letterlike symbols and ligatures.
        Add("ℂℊℋℌℍℎℐℑℒℕℙℚℛℜℝℤℬℰℱℳℯℴ", "cghhhhiilnpqrrrzbefmeo");
        map[0xFB00] = "ff";
        map[0xFB01] = "fi";
        map[0xFB02] = "fl";
        map[0xFB03] = "ffi";
        map[0xFB04] = "ffl";
        map[0xFB05] = "st";
        map[0xFB06] = "st";
        map[0x3000] = " ";
        return map;
    }

    private static void TrimTrailingSpace(StringBuilder builder)
    {
        while (builder.Length > 0 && builder[^1] == ' ')
        {
            builder.Length--;
        }
    }
}
