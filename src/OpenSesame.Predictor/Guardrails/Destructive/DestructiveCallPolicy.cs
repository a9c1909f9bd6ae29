using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Guardrails.Destructive;

/// <summary>
/// The one place that decides about destructive calls: which operations are destructive, whether the prompt asks for
/// one, and whether a candidate nobody asked for is dropped or kept and flagged. The critique stage applies it to the
/// candidates of every generator; the ranking features read the same verdicts.
/// </summary>
public sealed class DestructiveCallPolicy
{
    // Null while the configured words are the defaults: the parser already classified every operation with them.
    private readonly HashSet<string>? _words;
    private readonly HashSet<string> _intentStems;

    public DestructiveCallPolicy(IOptions<DestructiveCallPolicyOptions> options)
        : this(options.Value)
    {
    }

    public DestructiveCallPolicy(DestructiveCallPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Action = options.Action;
        var words = options.Words?.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        _words = words is null || words.SetEquals(DestructiveCallPolicyOptions.DefaultWords) ? null : words;
        _intentStems = (words ?? [.. DestructiveCallPolicyOptions.DefaultWords])
            .Concat(((IEnumerable<string>?)options.IntentWords ?? DestructiveCallPolicyOptions.DefaultIntentWords).Select(Normalize))
            .Select(Tokenizer.Stem)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The policy on its defaults: what training, evaluation and tests use unless they say otherwise.</summary>
    public static DestructiveCallPolicy Default { get; } = new(new DestructiveCallPolicyOptions());

    public DestructiveCallAction Action { get; }

    /// <summary>Whether a configured word list is a valid one: single lower-case words, as the spec's names split.</summary>
    public static bool IsValidWordList(IEnumerable<string>? words) =>
        words is null || words.All(w => Tokenizer.Words(w) is [var single] && single.Equals(w.Trim(), StringComparison.OrdinalIgnoreCase));

    public bool IsDestructive(ApiOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return _words is null
            ? operation.IsDestructive
            : OperationClassifier.IsDestructive(operation.Method, operation.Path, operation.OperationId, operation.Summary, _words);
    }

    /// <summary>Whether the prompt, as stemmed terms, explicitly asks to remove, cancel, revoke... something.</summary>
    public bool HasIntent(IEnumerable<string> promptTerms) => promptTerms.Any(_intentStems.Contains);

    /// <summary>
    /// Whether a call may be suggested: anything not destructive, a destructive call the prompt (as stemmed terms) asks
    /// for, and under <see cref="DestructiveCallAction.Flag"/> every destructive call.
    /// </summary>
    public bool MaySuggest(bool destructive, IEnumerable<string> promptTerms) =>
        !destructive || Action == DestructiveCallAction.Flag || HasIntent(promptTerms);

    private static string Normalize(string word) => word.Trim().ToLowerInvariant();
}
