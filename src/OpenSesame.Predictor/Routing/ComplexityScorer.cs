namespace OpenSesame.Predictor.Routing;

/// <summary>What a request asks of a model, as the router sees it.</summary>
/// <param name="Prompt">The user's words, if any.</param>
/// <param name="HistoryLength">Calls in the history.</param>
/// <param name="PlausibleOperations">Operations that could plausibly come next (for example the local generator's
/// candidates above its cut): the more there are, the more a model has to tell apart.</param>
internal readonly record struct ComplexityInput(string? Prompt, int HistoryLength, int PlausibleOperations);

/// <summary>A complexity score and the parts it was made of, each 0–1.</summary>
internal readonly record struct ComplexityScore(double Score, double Length, double Structure, double History,
    double Operations, double Intent);

/// <summary>
/// How complex a request is, 0–1, by a fixed, explainable formula (no model to train, nothing to drift):
/// <code>
/// score = 0.25·length + 0.25·structure + 0.10·history + 0.15·operations + 0.25·intent
/// length     = min(1, words / 40)
/// structure  = min(1, steps / 3), steps = (sentences or lines − 1) + sequencing words (then, next, finally, …)
/// history    = min(1, calls / 20)
/// operations = min(1, ln(1 + plausible) / ln(65))       64 plausible operations or more count fully
/// intent     = min(1, scope words / 2)                   all, each, every, bulk, migrate, reconcile, …
/// </code>
/// Without a prompt only history and operations count, so the score stays at or below 0.25: a request without words
/// is never complex. With 40 plausible operations and no history, "Create a customer, then attach a card, then
/// invoice each open order and finally email all invoices" scores 0.74 and "send the invoice" 0.15.
/// </summary>
internal static class ComplexityScorer
{
    public const double LengthWeight = 0.25;
    public const double StructureWeight = 0.25;
    public const double HistoryWeight = 0.10;
    public const double OperationsWeight = 0.15;
    public const double IntentWeight = 0.25;

    private const double FullLengthWords = 40;
    private const double FullStructureSteps = 3;
    private const double FullHistoryCalls = 20;
    private const double FullIntentWords = 2;
    private static readonly double FullOperationsLog = Math.Log(65);

    // Words that order steps: each is one more step than the sentences show.
    private static readonly HashSet<string> SequencingWords = new(StringComparer.Ordinal)
    {
        "then", "next", "finally", "afterwards", "afterward", "after", "before", "once", "subsequently", "lastly",
        "first",
    };

    // Words that widen a request to many objects or a whole workflow.
    private static readonly HashSet<string> ScopeWords = new(StringComparer.Ordinal)
    {
        "all", "each", "every", "bulk", "batch", "workflow", "migrate", "migration", "sync", "synchronize",
        "reconcile", "onboard", "onboarding", "multiple", "several", "both", "entire", "whole", "across", "end-to-end",
    };

    public static ComplexityScore Score(ComplexityInput input)
    {
        var words = Words(input.Prompt);
        var length = Math.Min(1, words.Count / FullLengthWords);
        var sentences = Sentences(input.Prompt);
        var steps = Math.Max(0, sentences - 1) + words.Count(SequencingWords.Contains);
        var structure = Math.Min(1, steps / FullStructureSteps);
        var history = Math.Min(1, Math.Max(0, input.HistoryLength) / FullHistoryCalls);
        var operations = Math.Min(1, Math.Log(1 + Math.Max(0, input.PlausibleOperations)) / FullOperationsLog);
        var intent = Math.Min(1, words.Count(ScopeWords.Contains) / FullIntentWords);
        var score = (LengthWeight * length) + (StructureWeight * structure) + (HistoryWeight * history)
                    + (OperationsWeight * operations) + (IntentWeight * intent);
        return new ComplexityScore(Math.Round(score, 4), length, structure, history, operations, intent);
    }

    /// <summary>Lower-case words: letters, digits, apostrophes and inner hyphens.</summary>
    private static List<string> Words(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return words;
        }

        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '\''
                                              || (text[i] == '-' && start >= 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])));
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        return words;
    }

    /// <summary>Sentences and lines (a list's items are lines) that hold at least one word with a letter; "1." alone
    /// is a list marker, not a sentence.</summary>
    private static int Sentences(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        return text.Split(['.', '!', '?', ';', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Count(part => part.Any(char.IsLetter));
    }
}
