namespace OpenSesame.Predictor.Routing;

/// <summary>One call to a language model during a prediction.</summary>
/// <param name="Provider">"anthropic" or "openai".</param>
/// <param name="Model">The model id asked.</param>
/// <param name="Outcome">"ok", "unreadable" (answered, not in the required shape), "timeout", "deadline",
/// "circuit-open" or "error".</param>
/// <param name="InputTokens">As the provider reported them; null when it gave no usage.</param>
/// <param name="OutputTokens">As the provider reported them; null when it gave no usage.</param>
/// <param name="CostUsd">The reported tokens priced by the model's entry in the routing catalog (0 without usage).</param>
/// <param name="Ms">Wall time of the call, retries included.</param>
public sealed record LlmCallTrace(string Provider, string Model, string Outcome, long? InputTokens, long? OutputTokens,
    decimal CostUsd, double Ms);

/// <summary>
/// Where the chat-client chain records what a question did: every model call, and the routing decision priced with
/// what actually happened (<see cref="RoutePricer"/>). It records, it does not account: the prediction's accounting
/// writes the priced decisions to the cost ledger once the prediction's questions are done. A prediction's trace is
/// one; the chain knows nothing else of the prediction.
/// </summary>
public interface IQuestionTrace
{
    void LlmCall(LlmCallTrace trace);

    /// <summary>Records a question's routing decision, priced: the model that answered (or the cache, or none), the
    /// tokens its provider reported and their cost. One per question.</summary>
    void Routed(RouteDecision priced);
}
