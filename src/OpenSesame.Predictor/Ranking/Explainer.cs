using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Ranking;

/// <summary>
/// Turns the features that moved a candidate most into one plain sentence: the <c>why</c> of a prediction. When the
/// request reads as instructions aimed at a model, the sentence quotes nothing the client sent (prompt words, ids,
/// paths), so a <c>why</c> can never carry injected text back out.
/// </summary>
internal static class Explainer
{
    private const int MaxReasons = 3;

    public static string Explain(RankingRequest request, ReviewedCandidate candidate, float[] features,
        IEnumerable<(int Feature, float Value)> contributions)
    {
        var context = request.Context;
        var phrases = new List<string>();
        var usedGroups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (feature, _) in contributions.Where(c => c.Value > 0).OrderByDescending(c => c.Value))
        {
            if (Describe(request, candidate.Candidate, features, feature) is (string group, string phrase) && usedGroups.Add(group))
            {
                phrases.Add(phrase);
            }

            if (phrases.Count == MaxReasons)
            {
                break;
            }
        }

        if (phrases.Count == 0)
        {
            // A generator's own words may echo the request, so they are left out when the request is flagged.
            phrases.Add((context.Injection.Flagged ? null : candidate.Candidate.Reason)
                        ?? $"a plausible {KindWord(candidate.Operation.Kind)} in this API");
        }

        var sentence = string.Join("; ", phrases);
        if (candidate.Candidate.Repair is { } repair && !context.Injection.Flagged)
        {
            // A client should know the call differs from what the generator wrote, and how.
            sentence += $" (corrected to fit the spec: {repair})";
        }

        return char.ToUpperInvariant(sentence[0]) + sentence[1..];
    }

    /// <summary>
    /// Whether <see cref="Describe"/> has words for <paramref name="feature"/>: a ranker need not measure what the
    /// other features contributed, since no sentence can name them.
    /// </summary>
    public static bool CanName(int feature) => (uint)feature < (uint)Named.Length && Named[feature];

    // The features Describe has a case for; a test holds the two together.
    private static readonly bool[] Named = Mask(
    [
        FeatureSchema.Lexical, FeatureSchema.LexicalRank, FeatureSchema.PromptResourceMatch, FeatureSchema.UsesLastId,
        FeatureSchema.ResourceOverlap, FeatureSchema.PathSame, FeatureSchema.PathChild, FeatureSchema.PathParent,
        FeatureSchema.PathSibling, FeatureSchema.LifecyclePrior, FeatureSchema.ParamsAvailable,
        FeatureSchema.UnknownOpaqueIds, FeatureSchema.CallCount, FeatureSchema.Recency, FeatureSchema.TransitionSeen,
        FeatureSchema.Semantic, FeatureSchema.SemanticRank, FeatureSchema.IntentKindMatch,
        FeatureSchema.NeedsListedEntity, FeatureSchema.PromptNamesKnownId, FeatureSchema.PromptHasId,
        FeatureSchema.SlotEntitySeen, FeatureSchema.ConsumesFromLast, FeatureSchema.ProducesForPromptTarget,
        FeatureSchema.SemanticLast, FeatureSchema.SemanticHistory, FeatureSchema.LlmRank,
        FeatureSchema.GeneratorAgreement, FeatureSchema.UsageProbability, FeatureSchema.UsagePersonal,
        FeatureSchema.StepNext, FeatureSchema.StepNextRank, FeatureSchema.StepKindMatch, FeatureSchema.StepCurrentRank,
        FeatureSchema.EntryPoint, FeatureSchema.UsageWords,
    ]);

    private static bool[] Mask(int[] features)
    {
        var mask = new bool[FeatureSchema.Count];
        foreach (var feature in features)
        {
            mask[feature] = true;
        }

        return mask;
    }

    /// <summary>The reason <paramref name="feature"/> gives for the candidate, and the group of reasons it belongs to
    /// (one sentence per group); no phrase when it has nothing to say here, no group either when it never does.</summary>
    internal static (string? Group, string? Phrase) Describe(RankingRequest request, PooledCandidate candidate, float[] features, int feature)
    {
        var context = request.Context;
        var operation = candidate.Operation;
        var last = context.Last;
        var quote = !context.Injection.Flagged;
        switch (feature)
        {
            case FeatureSchema.Lexical or FeatureSchema.LexicalRank or FeatureSchema.PromptResourceMatch when !quote:
                return ("prompt", "matches the prompt");
            case FeatureSchema.Lexical or FeatureSchema.LexicalRank or FeatureSchema.PromptResourceMatch:
                var words = context.Catalog.Lexical.MatchedTerms(context.PromptTerms, operation.Index)
                    .Select(t => t.Query == t.Matched
                        ? OriginalWord(context.Prompt, t.Query)
                        : $"{OriginalWord(context.Prompt, t.Query)} ~ {OriginalWord(OperationText(operation), t.Matched)}")
                    .Take(4).ToList();
                return ("prompt", words.Count > 0 ? $"matches the prompt ({string.Join(", ", words)})" : "close to what the prompt asks");
            case FeatureSchema.UsesLastId:
                var slot = operation.Path.Slots.FirstOrDefault(s => context.Values.ForSlot(s) is { } v && v.Position == context.History.Count - 1);
                var value = slot is null ? null : context.Values.ForSlot(slot)?.Value.ToString();
                return ("history", slot is null ? "acts on the resource of your last call"
                    : quote ? $"acts on {Label(slot)} {value} from your last call"
                    : $"acts on the {Label(slot)} from your last call");
            case FeatureSchema.ResourceOverlap or FeatureSchema.PathSame:
                return ("path", (last?.Match.PathTemplate ?? (quote ? last?.Event.Path : null)) is { } lastPath
                    ? $"same resource as your last call ({lastPath})"
                    : "same resource as your last call");
            case FeatureSchema.PathChild:
                return ("path", $"goes one level deeper than your last call ({last?.Match.PathTemplate})");
            case FeatureSchema.PathParent:
                return ("path", "goes back up from your last call to its collection");
            case FeatureSchema.PathSibling:
                return ("path", "sits next to your last call in the API");
            case FeatureSchema.LifecyclePrior:
                return ("lifecycle", last is not null
                    ? $"{Article(KindWord(operation.Kind))} often follows {Article(KindWord(last.Kind))}"
                    : $"{Article(KindWord(operation.Kind))} is a common first step");
            case FeatureSchema.ParamsAvailable:
                return ("params", operation.Path.Slots.Count == 0 ? null
                    : features[FeatureSchema.ParamsAvailable] >= 1 ? "every id it needs is in your history"
                    : "some of the ids it needs are in your history");
            case FeatureSchema.UnknownOpaqueIds:
                return ("params", features[FeatureSchema.UnknownOpaqueIds] == 0 ? "needs no id you would first have to look up" : null);
            case FeatureSchema.CallCount or FeatureSchema.Recency:
                return ("repeat", "you called it recently, and repeats are common (paging, bulk edits)");
            case FeatureSchema.TransitionSeen:
                return ("repeat", $"you already went from {last?.Operation?.Key} to it in this session");
            case FeatureSchema.Semantic or FeatureSchema.SemanticRank:
                return ("prompt", "close in meaning to what the prompt asks");
            case FeatureSchema.IntentKindMatch:
                return ("intent", $"the prompt asks for {Article(KindWord(operation.Kind))}");
            case FeatureSchema.NeedsListedEntity:
                var listed = operation.Path.Slots.FirstOrDefault(s => s.Entity == last?.Match.Shape?.MainResource);
                return ("history", listed is null ? null : $"takes a {Label(listed)} from what your last call listed");
            case FeatureSchema.PromptNamesKnownId:
                return ("prompt-id", "acts on the id your prompt names");
            case FeatureSchema.PromptHasId:
                return ("prompt-id", "your prompt names an id, and this call takes one");
            case FeatureSchema.SlotEntitySeen:
                return ("params", "works on resources you already touched");
            case FeatureSchema.ConsumesFromLast:
                var graph = context.Catalog.DataFlow;
                var fed = last?.Operation is { } lastOperation
                    ? graph.Consumes(operation).FirstOrDefault(e => graph.ProducesEntity(lastOperation, e))
                    : null;
                return ("history", fed is null ? null : $"takes the {Humanize(fed, operation)} id your last call returns");
            case FeatureSchema.ProducesForPromptTarget:
                return ("prompt-flow", request.Features.PromptTargetFedBy(operation) is { } need
                    ? $"finds the {Humanize(need.Entity, need.Target)} id that {need.Target.Key} needs for what you asked"
                    : null);
            case FeatureSchema.SemanticLast or FeatureSchema.SemanticHistory:
                return ("history-meaning", "close in meaning to the calls you just made");
            case FeatureSchema.LlmRank or FeatureSchema.GeneratorAgreement when candidate.Ranks.Count > 1:
                return ("llm", "both the local model and the language model propose it"
                    + (quote && candidate.Reason is { } agreed ? $" ({Shorten(agreed)})" : ""));
            case FeatureSchema.GeneratorAgreement:
                return ("llm", null);
            case FeatureSchema.LlmRank:
                return ("llm", quote && candidate.Reason is { } reason
                    ? $"the language model suggests it: {Shorten(reason)}"
                    : "the language model suggests it");
            case FeatureSchema.UsageProbability:
                return ("usage", "what this API's users often call next");
            case FeatureSchema.UsagePersonal:
                return ("usage", "what you often call next after these calls");
            case FeatureSchema.UsageWords:
                return ("usage", "what this API's users called next when they asked with these words");
            case FeatureSchema.StepNext or FeatureSchema.StepNextRank or FeatureSchema.StepKindMatch:
                return ("step", request.Features.Steps is { Steps.Count: > 1 } ahead && ahead.StepAheadFor(operation) is { } step
                    ? quote ? $"a step of your prompt still ahead ({Shorten(step)})" : "a step of your prompt still ahead"
                    : null);
            case FeatureSchema.StepCurrentRank:
                return ("step", request.Features.Steps is { Steps.Count: > 1, Current: >= 0 } steps
                    ? quote ? $"continues the step of your prompt you are at ({Shorten(steps.Steps[steps.Current])})" : "continues the step of your prompt you are at"
                    : null);
            case FeatureSchema.EntryPoint:
                return ("entry", $"a natural starting point: {KindWord(operation.Kind)} of {(operation.Path.MainResource is { } resource ? Humanize(resource, operation) : "resources")}");
            default:
                return (null, null);
        }
    }

    // A model's reason is its own prose; a why stays one readable sentence.
    private static string Shorten(string reason) => reason.Length <= 160 ? reason.TrimEnd('.') : reason[..159].TrimEnd() + "…";

    private static string KindWord(OperationKind kind) => kind switch
    {
        OperationKind.List => "listing",
        OperationKind.Search => "search",
        OperationKind.Read => "detail read",
        OperationKind.Create => "create",
        OperationKind.Update => "update",
        OperationKind.Delete => "delete",
        _ => "action",
    };

    private static string Article(string word) => ("aeiou".Contains(word[0], StringComparison.Ordinal) ? "an " : "a ") + word;

    private static string Humanize(string entity) => entity.Replace('_', ' ');

    // Entities are stems ("movi", "invoic"); show the word as the operation spells it when it has one.
    private static string Humanize(string entity, ApiOperation operation)
    {
        var words = Tokenizer.Words(operation.PathTemplate).Concat(operation.Parameters.SelectMany(p => Tokenizer.Words(p.Name)));
        var stem = entity.Contains('_', StringComparison.Ordinal) ? null : words.FirstOrDefault(w => Tokenizer.Stem(w) == entity);
        return stem is null ? Humanize(entity) : stem.EndsWith('s') && Tokenizer.Stem(stem[..^1]) == entity ? stem[..^1] : stem;
    }

    // The parameter's own name reads better than its stemmed entity, unless it is a bare "id".
    private static string Label(PathParameterSlot slot) =>
        Tokenizer.Words(slot.Name) is { Count: > 0 } words && words.Any(w => w is not ("id" or "uuid" or "key"))
            ? string.Join(' ', words.Where(w => w is not ("id" or "uuid" or "key")))
            : Humanize(slot.Entity);

    private static string OperationText(ApiOperation operation) =>
        $"{operation.Summary} {operation.OperationId} {operation.PathTemplate} {operation.Description}";

    // Show the word as the user typed it ("invoices"), not its stem ("invoic").
    private static string OriginalWord(string? prompt, string stem) =>
        Tokenizer.Words(prompt).FirstOrDefault(w => Tokenizer.Stem(w) == stem) ?? stem;
}
