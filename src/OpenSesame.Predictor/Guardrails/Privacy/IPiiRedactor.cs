using System.Text.Json;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>
/// Replaces personal data and secrets with placeholders (<c>[EMAIL]</c>, <c>[CARD]</c>, ...). Call it at a boundary
/// where data leaves the prediction: before a language model, a cache key, a log line, the audit log or the feedback
/// store. Not before local prediction: ids such as a calendar's e-mail address legitimately fill parameters.
/// The output is deterministic (same input, same output), so a redacted text can be part of a cache key.
/// </summary>
public interface IPiiRedactor
{
    RedactedText RedactText(string text);

    /// <summary>Redacts every string (and number) in the values, through nested objects and arrays. Field names are
    /// kept; they are the API's vocabulary, and they help: a bare number in <c>"phone"</c> is a phone number.</summary>
    RedactedParams RedactParams(IReadOnlyDictionary<string, JsonElement> parameters);
}

/// <param name="Text">The text with every finding replaced.</param>
/// <param name="Found">The categories found, each once, in declaration order; empty when nothing was replaced.</param>
public sealed record RedactedText(string Text, IReadOnlyList<PiiCategory> Found);

/// <param name="Params">A redacted copy; values without findings are the caller's own elements.</param>
/// <param name="Found">The categories found, each once, in declaration order.</param>
public sealed record RedactedParams(IReadOnlyDictionary<string, JsonElement> Params, IReadOnlyList<PiiCategory> Found);
