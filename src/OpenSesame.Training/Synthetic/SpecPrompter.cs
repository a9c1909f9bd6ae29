using System.Text.RegularExpressions;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>
/// Writes what a user would have typed over a session of any spec, in the spec's own words for its operations
/// (summary, else description, else operationId): prompts of the five kinds, as the embedded domains' sessions have.
/// Used by walks over real specs and by replays of recorded traffic, which come without prompts.
/// </summary>
internal sealed partial class SpecPrompter(EndpointCatalog catalog, SyntheticSamplerOptions session, double idInPromptProbability)
{
    /// <summary>The session's goal (its last change, else the last thing looked at) and the prompt of each step.</summary>
    /// <param name="ids">The id call i works on (its last path parameter's value), null when it takes none.</param>
    public (string Goal, List<string?> Prompts) Write(
        IReadOnlyList<SyntheticCall> calls, IReadOnlyList<string?> ids, SyntheticPromptKind kind, Random random)
    {
        var end = Enumerable.Range(0, calls.Count).LastOrDefault(i => calls[i].Method != "GET", calls.Count - 1);
        var goal = Phrasing(calls, ids, end, withId: true);
        var typed = kind switch
        {
            SyntheticPromptKind.Goal => PromptWriter.Noise(random, PromptWriter.Frame(random, goal), session),
            SyntheticPromptKind.Task => PromptWriter.Noise(random, TaskText(calls, ids, random), session),
            _ => null,
        };
        var prompts = new List<string?>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            prompts.Add(kind switch
            {
                SyntheticPromptKind.Goal or SyntheticPromptKind.Task => typed,
                SyntheticPromptKind.Explicit when i == 0 || random.NextDouble() < session.ExplicitStepProbability =>
                    PromptWriter.Noise(random, PromptWriter.Frame(random, Phrasing(calls, ids, i, random.NextDouble() < idInPromptProbability)), session),
                SyntheticPromptKind.Vague when random.NextDouble() < session.VagueStepProbability =>
                    PromptWriter.Noise(random, PromptWriter.Vague(random), session),
                _ => null,
            });
        }

        return (goal, prompts);
    }

    /// <summary>The value of the template's last parameter in the concrete path, or null when the two do not line up.</summary>
    public static string? LastPathValue(string template, string path)
    {
        var slots = template.Split('/');
        var values = path.Split('?')[0].Split('/');
        if (slots.Length != values.Length)
        {
            return null;
        }

        for (var i = slots.Length - 1; i >= 0; i--)
        {
            if (slots[i].StartsWith('{') && slots[i].EndsWith('}'))
            {
                return Uri.UnescapeDataString(values[i]);
            }
        }

        return null;
    }

    // Two to four of the session's steps, in order, as a brief; consecutive calls of one operation are named once.
    private string TaskText(IReadOnlyList<SyntheticCall> calls, IReadOnlyList<string?> ids, Random random)
    {
        var steps = Enumerable.Range(0, calls.Count).Where(i => i == 0 || calls[i].Key != calls[i - 1].Key).ToList();
        var wanted = Math.Min(steps.Count, 2 + random.Next(3));
        var chosen = steps.OrderBy(_ => random.Next()).Take(wanted).Order().Select(i => Phrasing(calls, ids, i, withId: false)).ToList();
        return PromptWriter.Sequence(random, chosen);
    }

    /// <summary>How a user asks for call <paramref name="index"/>, from the spec's own words for its operation.</summary>
    private string Phrasing(IReadOnlyList<SyntheticCall> calls, IReadOnlyList<string?> ids, int index, bool withId)
    {
        var call = calls[index];
        var operation = catalog.Find(call.Method, call.PathTemplate)
            ?? throw new ArgumentException($"{call.Key} is not an operation of the spec.", nameof(calls));
        var text = Sentence(operation.Summary) ?? Sentence(operation.Description)
                   ?? (operation.OperationId is { } id ? string.Join(' ', Tokenizer.Words(id)) : null);
        if (string.IsNullOrWhiteSpace(text))
        {
            text = string.Join(' ', new[] { call.Method.ToLowerInvariant() }.Concat(operation.Path.Resources));
        }

        text = PromptWriter.Imperative(text);
        return withId && ids[index] is { } itemId ? $"{text} {itemId}" : text;
    }

    /// <summary>The first sentence of a summary as plain words, or null when there is none or it runs on.</summary>
    private static string? Sentence(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var plain = Whitespace().Replace(Markup().Replace(text, " "), " ").Trim();
        var end = plain.IndexOfAny(['.', '\n', ':', ';']);
        var sentence = (end > 0 ? plain[..end] : plain).Trim();
        var words = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 1)
        {
            // An identifier for a summary ("getBoardsCardsByIdBoard()") still names the operation in words.
            return string.Join(' ', Tokenizer.Words(sentence)) is { Length: > 0 } spelled ? spelled : null;
        }

        return words.Length <= 14 && char.IsLetter(sentence[0]) ? sentence : null;
    }

    [GeneratedRegex(@"<[^>]*>|[`*_#\[\]]|\(https?:[^)]*\)")]
    private static partial Regex Markup();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
