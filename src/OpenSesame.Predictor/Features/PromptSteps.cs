using System.Text.RegularExpressions;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Features;

/// <summary>
/// A prompt read as the steps it asks for, in order ("find the movie, then list its cast, and finally …"), and how far
/// the history has come through them. Agents' tasks and users' briefs often name several steps; matched as one text,
/// such a prompt points at all of them at once, the ones already done included, so after the first call it no
/// longer says which step comes next. Each step is matched on its own (its words and its meaning), the history's
/// calls move a cursor forward through the steps they match, and the features read the steps after the cursor.
/// </summary>
internal sealed partial class PromptSteps
{
    // A prompt of more steps than this keeps the rest in its last one: past a dozen the order is rarely followed.
    private const int MaxSteps = 12;

    private readonly float[][] _relevance;
    private readonly int[][] _ranks;
    private readonly HashSet<OperationKind>[] _kinds;

    private PromptSteps(IReadOnlyList<string> steps, float[][] relevance, int[][] ranks, int current)
    {
        Steps = steps;
        _relevance = relevance;
        _ranks = ranks;
        _kinds = [.. steps.Select(OperationClassifier.IntendedKinds)];
        Current = current;
    }

    /// <summary>The steps, in the prompt's order.</summary>
    public IReadOnlyList<string> Steps { get; }

    /// <summary>The last step a call of the history matched; -1 before any did.</summary>
    public int Current { get; }

    /// <summary>The step after <see cref="Current"/>, or null when the history has reached the last one.</summary>
    public string? Next => Current + 1 < Steps.Count ? Steps[Current + 1] : null;

    /// <summary>Share of the steps the history has reached.</summary>
    public float Done => (Current + 1) / (float)Steps.Count;

    // Steps after the next one count at half the weight of the one before: a brief's sentences are not all calls
    // ("I'm organizing a mailing list. Can you standardize this address?"), and a step may be done in passing.
    private const float LaterStepWeight = 0.5f;

    /// <summary>
    /// How well an operation fits the steps ahead of the history, and 1/(1+its rank) among the spec's operations for
    /// them: the best over the steps after <see cref="Current"/>, each scaled so that its best operation is 1, the
    /// next step at full weight and each later one at half the weight of the one before; zeros when no step is left.
    /// </summary>
    public (float Relevance, float Rank) NextStep(ApiOperation operation)
    {
        var (relevance, rank, weight) = (0f, 0f, 1f);
        for (var step = Current + 1; step < Steps.Count; step++, weight *= LaterStepWeight)
        {
            var (r, k) = Step(step, operation);
            (relevance, rank) = (Math.Max(relevance, weight * r), Math.Max(rank, weight * k));
        }

        return (relevance, rank);
    }

    /// <summary>The step ahead that <see cref="NextStep"/>'s relevance comes from, for explanations.</summary>
    public string? StepAheadFor(ApiOperation operation)
    {
        var (best, at, weight) = (0f, -1, 1f);
        for (var step = Current + 1; step < Steps.Count; step++, weight *= LaterStepWeight)
        {
            if (weight * Step(step, operation).Relevance > best)
            {
                (best, at) = (weight * Step(step, operation).Relevance, step);
            }
        }

        return at < 0 ? null : Steps[at];
    }

    /// <summary>1/(1+rank) of the operation for the step the history is at: its calls may repeat or need a companion.</summary>
    public float CurrentStepRank(ApiOperation operation) => Step(Current, operation).Rank;

    /// <summary>Whether a verb of the first step ahead that has any asks for this kind of operation (list and search
    /// count together).</summary>
    public bool NextStepAsksFor(OperationKind kind)
    {
        for (var step = Current + 1; step < Steps.Count; step++)
        {
            if (_kinds[step].Count > 0)
            {
                return kind is OperationKind.List or OperationKind.Search
                    ? _kinds[step].Contains(OperationKind.List) || _kinds[step].Contains(OperationKind.Search)
                    : _kinds[step].Contains(kind);
            }
        }

        return false;
    }

    private (float Relevance, float Rank) Step(int step, ApiOperation operation) =>
        step < 0 || step >= Steps.Count || _relevance[step][operation.Index] <= 0
            ? (0, 0)
            : (_relevance[step][operation.Index], 1f / (1 + _ranks[step][operation.Index]));

    /// <summary>
    /// The prompt's steps matched against the spec and the history; null without a prompt. With an index, a step's
    /// relevance is its BM25 score and its embedding's similarity, each scaled to [0, 1] over the spec, as the prompt's
    /// own features are; without one, its BM25 score alone.
    /// </summary>
    /// <param name="promptLexical">The whole prompt's BM25 scores, and <paramref name="promptSemantic"/> its
    /// similarities (null without an index): a prompt that is one step as written is not scored a second time.</param>
    public static PromptSteps? For(PredictionContext context, SemanticIndex? index, float[] promptLexical, float[]? promptSemantic)
    {
        if (context.Prompt is not { } prompt)
        {
            return null;
        }

        var steps = Split(prompt);
        var operations = context.Catalog.Operations;
        if (steps is [var only] && only == prompt)
        {
            var whole = Combine(promptLexical, promptSemantic, operations.Count);
            return Walk(context, steps, [whole], [ScoreOrder.Ranks(whole)]);
        }

        var vectors = index is not null && context.Embedder is { } embedder ? embedder.EmbedMany(steps) : null;
        var relevance = new float[steps.Count][];
        var ranks = new int[steps.Count][];
        for (var s = 0; s < steps.Count; s++)
        {
            var lexical = context.Catalog.Lexical.Score(Tokenizer.Terms(steps[s]));
            var semantic = vectors is null ? null : index!.Similarities(vectors[s]);
            relevance[s] = Combine(lexical, semantic, operations.Count);
            ranks[s] = ScoreOrder.Ranks(relevance[s]);
        }

        return Walk(context, steps, relevance, ranks);
    }

    // Where the history stands in the steps.
    private static PromptSteps Walk(PredictionContext context, IReadOnlyList<string> steps, float[][] relevance, int[][] ranks)
    {
        var operations = context.Catalog.Operations;

        // A call counts towards a step when the step ranks its operation among its best few; a larger spec has more
        // near-equivalent operations per step (variants, bulk forms), so the few grow slowly with it.
        var within = 3 + (operations.Count / 100);
        var current = -1;
        foreach (var call in context.History)
        {
            if (call.Operation is not { } called)
            {
                continue;
            }

            for (var s = Math.Max(current, 0); s < steps.Count; s++)
            {
                if (ranks[s][called.Index] < within && relevance[s][called.Index] > 0)
                {
                    current = s;
                    break;
                }
            }
        }

        return new PromptSteps(steps, relevance, ranks, current);
    }

    private static float[] Combine(float[] lexical, float[]? semantic, int count)
    {
        var combined = new float[count];
        var bestLexical = lexical.Length == 0 ? 0 : lexical.Max();
        var (low, high) = semantic is null ? (0f, 0f) : (semantic.Min(), semantic.Max());
        for (var i = 0; i < count; i++)
        {
            combined[i] = (bestLexical > 0 ? lexical[i] / bestLexical : 0)
                + (semantic is not null && high > low ? (semantic[i] - low) / (high - low) : 0);
        }

        var best = combined.Max();
        if (best > 0)
        {
            for (var i = 0; i < count; i++)
            {
                combined[i] /= best;
            }
        }

        return combined;
    }

    /// <summary>
    /// The steps a prompt names, in order: its sentences, cut again where a connective starts the next step ("then",
    /// "after that", "finally", "and" before a verb of a step). Openers are dropped ("first", "please"), and a
    /// piece of fewer than two words joins the step before it. A prompt without connectives is one step.
    /// </summary>
    public static IReadOnlyList<string> Split(string prompt)
    {
        var steps = new List<string>();
        foreach (var sentence in SentenceEnd().Split(prompt))
        {
            foreach (var piece in Connective().Split(sentence))
            {
                foreach (var part in SplitBeforeVerbs(piece))
                {
                    var step = Opener().Replace(part.Trim(' ', ',', '.', ';', ':', '!', '?', '-', '\t'), "").Trim();
                    if (step.Length == 0)
                    {
                        continue;
                    }

                    if (steps.Count > 0 && (Tokenizer.Words(step).Count < 2 || steps.Count == MaxSteps))
                    {
                        steps[^1] = $"{steps[^1]} {step}";
                    }
                    else
                    {
                        steps.Add(step);
                    }
                }
            }
        }

        return steps.Count > 0 ? steps : [prompt.Trim()];
    }

    // "create a channel and add Morgan to it" is two steps; "files in the folder and its subfolders" is one.
    private static IEnumerable<string> SplitBeforeVerbs(string piece)
    {
        var start = 0;
        foreach (Match and in And().Matches(piece))
        {
            // The next word is all that is read: a prompt of 4,000 characters may hold hundreds of "and"s.
            var after = and.Index + and.Length;
            var next = Tokenizer.Words(piece[after..Math.Min(piece.Length, after + 32)]).FirstOrDefault();
            if (next is not null && OperationClassifier.IntendedKinds(next).Count > 0)
            {
                yield return piece[start..and.Index];
                start = and.Index + and.Length;
            }
        }

        yield return piece[start..];
    }

    [GeneratedRegex(@"(?<=[.!?;])\s+|\s*\n\s*")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@",?\s+(?:and\s+)?(?:then|after\s+that|afterwards|finally|lastly)\b,?\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Connective();

    [GeneratedRegex(@",?\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex And();

    [GeneratedRegex(@"^(?:(?:first(?:ly)?|then|next,|finally|lastly|last,|also|please|after\s+that|and)\b,?\s*)+", RegexOptions.IgnoreCase)]
    private static partial Regex Opener();
}
