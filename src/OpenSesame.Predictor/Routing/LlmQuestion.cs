using Microsoft.Extensions.AI;

namespace OpenSesame.Predictor.Routing;

/// <summary>The model that answered a question.</summary>
/// <param name="Model">Its catalog name (a <c>Routing:Models</c> key).</param>
/// <param name="ModelId">The provider's model id.</param>
internal sealed record AnsweringModel(string Model, string ModelId, string Provider);

/// <summary>
/// What the chat-client chain needs to know about one question besides its messages: what the caller will pay, what
/// makes the request complex, when its time is up, where to record what happened, and what answer is usable. It
/// travels in <see cref="ChatOptions.AdditionalProperties"/> under <see cref="Key"/>, set by <see cref="LlmCaller"/>:
/// explicit in the call, seen by every client of the chain (the cache and the router read it), and taken off by the
/// router before a provider's client sees the options, so it never reaches an SDK or a wire. It is not part of the
/// cache key. The router refuses a question without it: every question belongs to a prediction, whose accounting
/// writes it to the cost ledger.
/// </summary>
internal sealed class LlmQuestion
{
    public const string Key = "opensesame.question";

    /// <summary>The most this question may cost; null for no cap beyond the router's own.</summary>
    public decimal? MaxCostUsd { get; init; }

    /// <summary>The request as the complexity score sees it.</summary>
    public ComplexityInput Complexity { get; init; }

    /// <summary>Where the calls and the priced route are recorded (the prediction's trace); the prediction's
    /// accounting writes the route to the cost ledger once the prediction's questions are done.</summary>
    public required IQuestionTrace Trace { get; init; }

    /// <summary>Fires when the question's time is up: the one deadline, which <see cref="LlmCaller"/> sets on the
    /// service's <see cref="TimeProvider"/>. The token the chain is called with fires then too, and also when the
    /// caller gives up; this tells the two apart (a late model is recorded, an abandoned question is not). None for
    /// a question asked without a deadline: then every cancellation is the caller's.</summary>
    public CancellationToken Deadline { get; init; }

    /// <summary>Whether an answer's text is in the shape the caller needs. A model that answered otherwise did answer:
    /// it is not followed by a fallback, and its answer is not cached.</summary>
    public required Func<string?, bool> IsUsable { get; init; }

    /// <summary>The user is in the router's rollout: complexity and budget shape the choice of model.</summary>
    public bool Adaptive { get; init; } = true;

    /// <summary>Set by the router when a model answered (in any shape): which one, by catalog name, provider model id
    /// and provider. Null while no model has answered.</summary>
    public AnsweringModel? AnsweredBy { get; set; }

    /// <summary>The question attached to <paramref name="options"/>, if any.</summary>
    public static LlmQuestion? Of(ChatOptions? options) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(Key, out var value) ? value as LlmQuestion : null;

    /// <summary>Options carrying this question.</summary>
    public ChatOptions AttachTo(ChatOptions options)
    {
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[Key] = this;
        return options;
    }

    /// <summary>A copy of <paramref name="options"/> without the question, for a provider's client.</summary>
    public static ChatOptions Detached(ChatOptions? options)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        if (copy.AdditionalProperties is { } properties)
        {
            // Clone copied the dictionary; the caller's stays as it was.
            properties.Remove(Key);
            if (properties.Count == 0)
            {
                copy.AdditionalProperties = null;
            }
        }

        return copy;
    }
}
