using OpenSesame.Predictor.Guardrails.Destructive;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Context;

/// <summary>Who asked for a prediction and what they will pay for it, as the request said.</summary>
/// <param name="MaxCostUsd">The most this prediction's language-model calls may cost (<c>max_cost_usd</c>); null for
/// no cap of the caller's own.</param>
public sealed record Requester(string? UserId, string? SessionId, decimal? MaxCostUsd = null);

/// <summary>
/// Everything known about one prediction request, resolved once and read by every stage: the spec, the history matched
/// against it, the prompt, the policies it runs under, and what the spec's users were seen to do. Immutable, except for
/// its <see cref="Trace"/>, where the stages log their time and spend.
/// </summary>
public sealed class PredictionContext
{
    private PredictionContext(EndpointCatalog catalog, IReadOnlyList<ResolvedEvent> history, string? prompt,
        DateTimeOffset now, SentenceEmbedder? embedder, bool dataFlow, DestructiveCallPolicy destructive,
        InjectionVerdict injection, Requester? requester, string? predictionId, LearnedUsage? usage)
    {
        Usage = usage;
        PredictionId = predictionId ?? Guid.CreateVersion7(now).ToString();
        UserId = requester?.UserId;
        SessionId = requester?.SessionId;
        MaxCostUsd = requester?.MaxCostUsd;
        Injection = injection;
        Embedder = embedder;
        DataFlow = dataFlow;
        Catalog = catalog;
        History = history;
        Prompt = string.IsNullOrWhiteSpace(prompt) ? null : prompt.Trim();
        PromptTerms = Tokenizer.Terms(Prompt);
        Now = now;
        Values = HistoryValues.From(history);
        Last = history.Count > 0 ? history[^1] : null;
        Destructive = destructive;
        RemovalIntent = destructive.HasIntent(PromptTerms);
    }

    /// <summary>The id the response carries; the cost ledger and the audit log file this prediction under it.</summary>
    public string PredictionId { get; }

    /// <summary>Who asked (as the request said), for the cost ledger; null when it did not say.</summary>
    public string? UserId { get; }

    /// <summary><see cref="UserId"/> as the audit log, the cost ledger and the outcome log store it
    /// (<see cref="Guardrails.Privacy.StoredUserId"/>): worked out once per prediction, not once per record, since
    /// it runs the personal-data detector over the id.</summary>
    public string? StoredUserId => _storedUserId ??= Guardrails.Privacy.StoredUserId.Of(UserId);

    private string? _storedUserId;

    public string? SessionId { get; }

    /// <summary>The most the caller will pay for this prediction's language-model calls (<c>max_cost_usd</c>); none by
    /// default.</summary>
    public decimal? MaxCostUsd { get; }

    public EndpointCatalog Catalog { get; }

    /// <summary>Sentence embeddings for meaning-level prompt matching; null turns the semantic features off.</summary>
    public SentenceEmbedder? Embedder { get; }

    /// <summary>Whether the spec's data-flow graph (which calls produce the ids others need) informs the prediction.</summary>
    public bool DataFlow { get; }

    public IReadOnlyList<ResolvedEvent> History { get; }
    public string? Prompt { get; }

    /// <summary>Stemmed prompt words without stop words.</summary>
    public IReadOnlyList<string> PromptTerms { get; }

    /// <summary>The prompt's words learned usage counts and reads (<see cref="LearnedUsage.WordsOf"/>): worked out once,
    /// for the features and for the record of the step alike.</summary>
    public IReadOnlyList<string> UsageWords => _usageWords ??= LearnedUsage.WordsOf(Catalog, PromptTerms);

    private IReadOnlyList<string>? _usageWords;

    public DateTimeOffset Now { get; }
    public HistoryValues Values { get; }
    public ResolvedEvent? Last { get; }

    /// <summary>
    /// Whether the prompt or the events read as instructions aimed at a language model. A flagged request is answered
    /// by local models only: generators that call a language model must skip it, and explanations quote nothing the
    /// client sent.
    /// </summary>
    public InjectionVerdict Injection { get; }

    /// <summary>The policy this request runs under: which calls are destructive, and what may be done with them.</summary>
    public DestructiveCallPolicy Destructive { get; }

    /// <summary>The prompt asks to remove, cancel or revoke something, which unlocks destructive suggestions.</summary>
    public bool RemovalIntent { get; }

    /// <summary>What this spec's users (and the requester's own layers) were seen to call after what; null when nothing is learned from usage.</summary>
    public LearnedUsage? Usage { get; }

    /// <summary>Where this prediction's time and money went; every stage adds to it.</summary>
    public PredictionTrace Trace { get; } = new();

    /// <param name="requester">Who asked and what they will pay, when the context serves a request (evaluation and
    /// training have none).</param>
    /// <param name="predictionId">The response's id; a new one when not given.</param>
    public static PredictionContext Create(EndpointCatalog catalog, IEnumerable<HistoryEvent> events, string? prompt,
        DateTimeOffset now, SentenceEmbedder? embedder = null, bool dataFlow = true,
        DestructiveCallPolicy? destructive = null, InjectionVerdict? injection = null,
        Requester? requester = null, string? predictionId = null, LearnedUsage? usage = null)
    {
        var history = events.Select(e => new ResolvedEvent(e, catalog.Matcher.Match(e.Method, e.Path))).ToList();
        return new PredictionContext(catalog, history, prompt, now, embedder, dataFlow,
            destructive ?? DestructiveCallPolicy.Default, injection ?? InjectionVerdict.Clean, requester, predictionId, usage);
    }
}
