using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>
/// One question to the language models on behalf of a prediction, answered within a deadline or not at all. It owns
/// the question's time: one deadline, started here on the service's <see cref="TimeProvider"/>, which cancels
/// everything below it (the cache lookup, the router's models with their retries) and travels with the question so
/// the router can tell a deadline from the caller giving up. It sends the question down the LLM chat-client chain
/// (<see cref="LlmChatChain.ServiceKey"/>: the response cache, then the router, which chooses the model, asks it,
/// falls back, and records what it cost on the prediction's trace) with the prediction's facts attached as an
/// <see cref="LlmQuestion"/>. It never throws for a provider's failure; only the caller's own cancellation ends it
/// with an exception.
/// </summary>
internal sealed class LlmCaller(
    [FromKeyedServices(LlmChatChain.ServiceKey)] IChatClient chat,
    LlmRollout rollout,
    IOptions<LlmOptions> options,
    TimeProvider time)
{
    /// <summary>The answer, as <paramref name="read"/> makes of its text; null when the user is outside the LLM rollout,
    /// the route chose no model, no model answered in time, or the answer was not in the required shape.</summary>
    /// <param name="read">Returns null for an answer of the wrong shape.</param>
    /// <param name="maxCostUsd">The most this question may cost; by default the prediction's own cap.</param>
    /// <param name="complexity">What makes the request hard, as the router weighs it.</param>
    public async Task<T?> AskAsync<T>(PredictionContext context, ComplexityInput complexity, IList<ChatMessage> messages,
        TimeSpan deadlineAfter, Func<string?, T?> read, CancellationToken cancellationToken, decimal? maxCostUsd = null)
        where T : class
    {
        // Outside the rollout nothing is asked; the prediction's accounting records why.
        if (!await rollout.IsEnabledAsync(LlmRollout.LlmCandidates, context.UserId))
        {
            return null;
        }

        var adaptive = await rollout.IsEnabledAsync(LlmRollout.CostRouting, context.UserId);
        using var deadline = new CancellationTokenSource(deadlineAfter, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var question = new LlmQuestion
        {
            Adaptive = adaptive,
            MaxCostUsd = maxCostUsd ?? context.MaxCostUsd,
            Complexity = complexity,
            Trace = context.Trace,
            Deadline = deadline.Token,
            IsUsable = text => read(text) is not null,
        };
        var chatOptions = question.AttachTo(new ChatOptions { MaxOutputTokens = options.Value.MaxOutputTokens, Temperature = 0 });
        try
        {
            var response = await chat.GetResponseAsync(messages, chatOptions, linked.Token);
            return response.Messages.Count == 0 ? null : read(ChatAnswer.TextOf(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline passed outside a model call (reading the cache): no answer, as when a model is late.
            return null;
        }
    }
}
