using System.Text;
using System.Text.RegularExpressions;

namespace OpenSesame.Training.Synthetic;

/// <summary>Turns phrasings and goals into what users actually type: varied frames, filler, casing and typos.</summary>
internal static partial class PromptWriter
{
    // Imperative, polite, question and narrative frames around an imperative phrasing ("finalize invoice in_x").
    private static readonly string[] Frames =
    [
        "{0}", "{0}", "{0}", "now {0}", "next {0}", "ok {0}", "ok, {0}", "{0} please", "please {0}", "can you {0}?",
        "could you {0}", "let's {0}", "i want to {0}", "i need to {0}", "time to {0}", "go ahead and {0}", "{0} now",
        "how do i {0}?", "then {0}", "and {0}", "help me {0}", "we should {0}", "{0} next",
    ];

    private static readonly string[] VaguePrompts =
    [
        "what's next?", "continue", "ok do the usual", "next", "keep going", "go on", "and now?", "next step please",
        "what should i do now", "proceed", "same as last time", "ok", "carry on", "what now?", "do the next thing",
        "ok next one", "then what", "finish up", "you know what to do", "hmm what else", "next pls", "done, next?",
        "whats the next step", "do it", "go",
    ];

    private static readonly string[] Prefixes = ["hey ", "ok so ", "pls ", "hi, ", "quick one: ", "so ", "um ", "alright "];
    private static readonly string[] Suffixes = [" thanks", " pls", " asap", " please", " for me", " real quick", "!", " thx"];

    /// <summary>Placeholder names in a template, "{invoice}" → invoice.</summary>
    public static IEnumerable<string> Placeholders(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>The template with every placeholder filled, or null when one has no value.</summary>
    public static string? Fill(string template, Func<string, string?> value)
    {
        var missing = false;
        var text = Placeholder().Replace(template, m =>
        {
            var v = value(m.Groups[1].Value);
            missing |= v is null;
            return v ?? "";
        });
        return missing ? null : text;
    }

    /// <summary>The phrasing in a random frame; a question ("was it refunded?") already is a whole prompt.</summary>
    public static string Frame(Random random, string phrasing) =>
        phrasing.EndsWith('?')
            ? phrasing
            : string.Format(System.Globalization.CultureInfo.InvariantCulture, Frames[random.Next(Frames.Length)], phrasing);

    /// <summary>
    /// A spec summary as a request: lower-cased, without the final period, and "Returns the events" → "return the
    /// events", since many specs describe operations in the third person.
    /// </summary>
    public static string Imperative(string summary)
    {
        var text = char.ToLowerInvariant(summary[0]) + summary[1..].TrimEnd('.');
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? text : text[..space];
        if (verb.Length < 4 || !verb.All(char.IsAsciiLetterLower) || verb[^1] != 's' || verb.EndsWith("ss", StringComparison.Ordinal))
        {
            return text;
        }

        var bare = verb.EndsWith("ies", StringComparison.Ordinal) ? verb[..^3] + "y"
            : verb.EndsWith("ches", StringComparison.Ordinal) || verb.EndsWith("shes", StringComparison.Ordinal)
              || verb.EndsWith("sses", StringComparison.Ordinal) || verb.EndsWith("xes", StringComparison.Ordinal) ? verb[..^2]
            : verb[..^1];
        return bare + text[verb.Length..];
    }

    public static string Vague(Random random) => VaguePrompts[random.Next(VaguePrompts.Length)];

    private static readonly string[] Openers = ["", "", "first ", "i need to ", "please ", "can you "];
    private static readonly string[] Middles = [", then ", ". Then ", ", and then ", " and ", ", after that "];
    private static readonly string[] Closers = [", and finally ", ". Finally, ", " and then ", ", then ", ". Last, "];

    /// <summary>Steps joined as a brief: "first find the customer, then create an invoice, and finally send it."</summary>
    public static string Sequence(Random random, IReadOnlyList<string> steps)
    {
        var text = new StringBuilder(Openers[random.Next(Openers.Length)]).Append(steps[0]);
        for (var i = 1; i < steps.Count; i++)
        {
            var joins = i == steps.Count - 1 ? Closers : Middles;
            text.Append(joins[random.Next(joins.Length)]).Append(steps[i]);
        }

        return text.Append(random.Next(2) == 0 ? "." : "").ToString();
    }

    public static string Noise(Random random, string text, SyntheticSamplerOptions options)
    {
        if (random.NextDouble() < options.ExtraWordsProbability)
        {
            text = random.Next(2) == 0
                ? Prefixes[random.Next(Prefixes.Length)] + text
                : text + Suffixes[random.Next(Suffixes.Length)];
        }

        if (random.NextDouble() < options.TypoProbability)
        {
            text = Typo(random, text);
        }

        if (random.NextDouble() < options.CasingProbability)
        {
            text = random.Next(5) == 0 ? Shout(text) : char.ToUpperInvariant(text[0]) + text[1..];
        }

        return text;
    }

    // Only plain words get typos or capitals: ids ("in_8Hk2", "42", "PROJ-7") must survive so they still match paths.
    private static bool IsPlainWord(string word) => word.Length >= 4 && word.All(char.IsAsciiLetterLower);

    private static string Typo(Random random, string text)
    {
        var words = text.Split(' ');
        var candidates = Enumerable.Range(0, words.Length).Where(i => IsPlainWord(words[i])).ToList();
        if (candidates.Count == 0)
        {
            return text;
        }

        var index = candidates[random.Next(candidates.Count)];
        var word = new StringBuilder(words[index]);
        var at = 1 + random.Next(word.Length - 2);
        switch (random.Next(3))
        {
            case 0:
                (word[at], word[at + 1]) = (word[at + 1], word[at]);
                break;
            case 1:
                word.Remove(at, 1);
                break;
            default:
                word.Insert(at, word[at]);
                break;
        }

        words[index] = word.ToString();
        return string.Join(' ', words);
    }

    private static string Shout(string text) =>
        string.Join(' ', text.Split(' ').Select(w => IsPlainWord(w) || w.Length < 4 && w.All(char.IsAsciiLetterLower)
            ? w.ToUpperInvariant()
            : w));

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\}")]
    private static partial Regex Placeholder();
}
