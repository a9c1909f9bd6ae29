using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Guardrails.Destructive;

/// <summary>What a destructive-call policy does with candidates the prompt did not ask for.</summary>
public enum DestructiveCallAction
{
    /// <summary>Leave them out of the answer.</summary>
    Drop,

    /// <summary>Keep them, ranked as usual (the rankers already count a destructive call without intent against it),
    /// marked <c>"destructive": true</c>.</summary>
    Flag,
}

/// <summary>
/// Which calls count as destructive, what in a prompt counts as asking for one, and what happens to the ones nobody
/// asked for. Section "Guardrails:Destructive" of the configuration.
/// </summary>
public sealed class DestructiveCallPolicyOptions
{
    public const string Section = "Guardrails:Destructive";

    /// <summary>
    /// The default <see cref="Words"/>: the one list the spec parser, the ranking features and the policy share. The
    /// parser owns it, because it classifies every operation once per spec, before any request's policy is known.
    /// </summary>
    public static IReadOnlyList<string> DefaultWords => OperationClassifier.DefaultDestructiveWords;

    /// <summary>The default <see cref="IntentWords"/>: ways people ask for removal that no operation is named after.</summary>
    public static IReadOnlyList<string> DefaultIntentWords { get; } =
    [
        "cancelled", "cancelling", "clean", "clear", "rid", "undo", "withdraw", "retract", "discard", "dismiss",
        "reject", "close",
    ];

    /// <summary>
    /// Besides every DELETE, an operation is destructive when one of these words leads its operationId or summary
    /// ("voidInvoice", "Cancel a subscription") or names its last literal path segment (<c>/invoices/{id}/void</c>,
    /// <c>/conversations.archive</c>). Single lower-case words. Setting it replaces the whole list. Default: null,
    /// meaning <see cref="DefaultWords"/> (delete, remove, destroy, void, cancel, purge, revoke, erase, wipe,
    /// terminate, archive, unsubscribe, uninstall, deactivate, disable, kill, drop, trash, unpublish, unlink, detach,
    /// refund, reset).
    /// </summary>
    public IList<string>? Words { get; set; }

    /// <summary>
    /// Prompt words that, besides <see cref="Words"/> themselves, count as explicit intent and let destructive calls
    /// through. Matched after stemming, so "deleting" and "deleted" count as "delete". Setting it replaces the whole
    /// list. Default: null, meaning <see cref="DefaultIntentWords"/> (cancelled, cancelling, clean, clear, rid, undo,
    /// withdraw, retract, discard, dismiss, reject, close).
    /// </summary>
    public IList<string>? IntentWords { get; set; }

    /// <summary>What happens to a destructive candidate when the prompt shows no intent. Default <see cref="DestructiveCallAction.Drop"/>.</summary>
    public DestructiveCallAction Action { get; set; } = DestructiveCallAction.Drop;
}
