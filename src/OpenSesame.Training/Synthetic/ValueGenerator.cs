using System.Globalization;
using System.Text;

namespace OpenSesame.Training.Synthetic;

internal enum ValueKind
{
    /// <summary>Characters of <see cref="ValueGenerator.Pattern"/>: # digit, * base62, ? upper alphanumeric,
    /// ^ lower alphanumeric, % hex, @ one of <see cref="ValueGenerator.Values"/>; anything else is literal
    /// ("in_**************", "@-###" for Jira keys).</summary>
    Pattern,

    /// <summary>An integer between <see cref="ValueGenerator.Min"/> and <see cref="ValueGenerator.Max"/>.</summary>
    Numeric,
    Uuid,

    /// <summary>One or two of <see cref="ValueGenerator.Words"/> joined by '-'.</summary>
    Slug,

    /// <summary>One of <see cref="ValueGenerator.Values"/>.</summary>
    Choice,
    Email,

    /// <summary>A day <see cref="ValueGenerator.Min"/>..<see cref="ValueGenerator.Max"/> days from the session start;
    /// <see cref="ValueGenerator.Format"/> "datetime" adds a time of day.</summary>
    Date,
    Bool,

    /// <summary>A page cursor, sent only when the same list is called again: the last id it showed of
    /// <see cref="ValueGenerator.Entity"/>, else an opaque token.</summary>
    Cursor,

    /// <summary>A page number, sent only when the same list is called again: one more than last time.</summary>
    Page,

    /// <summary>An item offset, sent only when the same list is called again: last time's (0 if unsent) plus
    /// <see cref="ValueGenerator.Step"/>.</summary>
    Offset,

    /// <summary>The id of <see cref="ValueGenerator.Entity"/> the session is working on.</summary>
    Entity,
}

/// <summary>Describes how to make up one value; a tiny closed set of kinds so workflow files stay declarative.</summary>
internal sealed class ValueGenerator
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string UpperAlphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string LowerAlphanumeric = "0123456789abcdefghijklmnopqrstuvwxyz";
    private const string Hex = "0123456789abcdef";

    private static readonly string[] FirstNames =
        ["ana", "ben", "chloe", "diego", "emma", "farid", "grace", "hiro", "ines", "jonas", "kara", "liam", "mei", "noah", "olga", "priya"];

    private static readonly string[] LastNames =
        ["smith", "garcia", "chen", "novak", "okafor", "muller", "rossi", "tanaka", "silva", "kowalski", "haddad", "lee"];

    private static readonly string[] MailDomains = ["example.com", "acme.io", "globex.net", "initech.co", "umbrella.org"];

    public ValueKind Kind { get; init; }
    public string? Pattern { get; init; }
    public long Min { get; init; }
    public long Max { get; init; }

    /// <summary>For <see cref="ValueKind.Offset"/>: the page size the offset advances by.</summary>
    public long Step { get; init; } = 1;
    public IReadOnlyList<string> Values { get; init; } = [];
    public IReadOnlyList<string> Words { get; init; } = [];
    public string? Entity { get; init; }

    /// <summary>For <see cref="ValueKind.Entity"/>: a second item of the entity, not the one being worked on
    /// (the duplicate to merge, the folder to move into).</summary>
    public bool Other { get; init; }

    public string? Format { get; init; }

    /// <summary>Chance that an optional parameter is sent at all; required ones always are.</summary>
    public double? Probability { get; init; }

    /// <summary>A value of a kind that needs no session context (not <see cref="ValueKind.Entity"/>, cursor or page).</summary>
    public string Generate(Random random, DateTimeOffset sessionStart) => Kind switch
    {
        ValueKind.Pattern => FromPattern(random, Pattern ?? "**********", Values),
        ValueKind.Numeric => random.NextInt64(Min, Max + 1).ToString(CultureInfo.InvariantCulture),
        ValueKind.Uuid => Uuid(random),
        ValueKind.Slug => Slug(random),
        ValueKind.Choice => Values[random.Next(Values.Count)],
        ValueKind.Email => Email(random),
        ValueKind.Date => Date(random, sessionStart),
        ValueKind.Bool => random.Next(2) == 0 ? "true" : "false",
        ValueKind.Cursor => FromPattern(random, Pattern ?? "************************", Values),
        ValueKind.Page => "1",
        ValueKind.Offset => "0",
        _ => throw new InvalidOperationException($"A {Kind} value depends on the session."),
    };

    /// <summary>Why this generator cannot work, or null when it can.</summary>
    public string? Problem() => Kind switch
    {
        ValueKind.Numeric when Max < Min => "max is below min",
        ValueKind.Choice when Values.Count == 0 => "a choice needs values",
        ValueKind.Slug when Words.Count == 0 => "a slug needs words",
        ValueKind.Entity when Entity is null => "an entity value needs an entity",
        ValueKind.Date when Format is not (null or "date" or "datetime") => "format is date or datetime",
        ValueKind.Pattern when string.IsNullOrEmpty(Pattern) => "a pattern value needs a pattern",
        ValueKind.Pattern when Pattern.Contains('@', StringComparison.Ordinal) && Values.Count == 0 => "@ in a pattern needs values",
        ValueKind.Offset when Step < 1 => "an offset needs a positive step",
        _ => Probability is < 0 or > 1 ? "probability is outside 0..1" : null,
    };

    private static string FromPattern(Random random, string pattern, IReadOnlyList<string> values)
    {
        var text = new StringBuilder(pattern.Length);
        foreach (var c in pattern)
        {
            text.Append(c switch
            {
                '#' => (char)('0' + random.Next(10)),
                '*' => Base62[random.Next(Base62.Length)],
                '?' => UpperAlphanumeric[random.Next(UpperAlphanumeric.Length)],
                '^' => LowerAlphanumeric[random.Next(LowerAlphanumeric.Length)],
                '%' => Hex[random.Next(Hex.Length)],
                '@' => values[random.Next(values.Count)],
                _ => c,
            });
        }

        return text.ToString();
    }

    // Random v4 layout from the seeded generator: Guid.NewGuid would break determinism.
    private static string Uuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    private string Slug(Random random)
    {
        var first = Words[random.Next(Words.Count)];
        if (Words.Count < 2 || random.Next(2) == 0)
        {
            return first;
        }

        var second = Words[random.Next(Words.Count)];
        return second == first ? first : $"{first}-{second}";
    }

    private static string Email(Random random)
    {
        var first = FirstNames[random.Next(FirstNames.Length)];
        var last = LastNames[random.Next(LastNames.Length)];
        var domain = MailDomains[random.Next(MailDomains.Length)];
        return random.Next(3) == 0 ? $"{first}@{domain}" : $"{first}.{last}@{domain}";
    }

    private string Date(Random random, DateTimeOffset sessionStart)
    {
        var day = sessionStart.Date.AddDays(random.NextInt64(Min, Math.Max(Min, Max) + 1));
        if (Format != "datetime")
        {
            return day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        // Meetings start on the quarter hour during working hours.
        var time = day.AddHours(8 + random.Next(10)).AddMinutes(15 * random.Next(4));
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
