using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenSesame.Predictor.Telemetry;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// The one place that asks a language model. Per question it counts the tokens (<see cref="TokenEstimator"/>), scores
/// the complexity (<see cref="ComplexityScorer"/>), lets <see cref="ModelRouter"/> choose among the models of the
/// providers that have a key, and asks the chosen model through its provider's client (the model id in
/// <see cref="ChatOptions.ModelId"/>); an error, a timeout or an open circuit moves to the decision's fallback model,
/// on another provider. It keeps no clock of its own: each model's attempt is bounded by its provider's resilience
/// pipeline (<see cref="LlmResilience"/>: <see cref="LlmOptions.AttemptTimeout"/>, retries included), and the
/// question by the one deadline its caller set (<see cref="LlmQuestion.Deadline"/>), which the cancellation token
/// carries. Every call is recorded in the <see cref="LlmUsageLog"/> and the question's trace, and the question's
/// decision is priced (<see cref="RoutePricer"/>: the model that answered, or the local model at $0 when none did) and
/// recorded on the trace; the prediction's accounting writes it to the cost ledger. Each call is also a span under the
/// stage that asked and a count of <c>opensesame.llm.calls</c> and <c>opensesame.llm.tokens</c>.
/// <para>A response without messages means no model answered: the route was local (the reason is in the trace's route),
/// or every model failed. A provider's failure never throws; only the caller's own cancellation does. What it needs
/// beyond the messages (cap, complexity, deadline, trace) comes in the options as an <see cref="LlmQuestion"/>, which
/// it takes off before a provider's client sees them; a question without one is refused, so no question is asked that
/// no prediction accounts for.</para>
/// </summary>
internal sealed partial class ModelRoutingChatClient(
    LlmProviderList providers,
    ModelRouter router,
    BudgetTracker budget,
    RoutePricer pricer,
    RoutingSettings settings,
    LlmUsageLog usage,
    RoutingMetrics metrics,
    TimeProvider time,
    ILogger<ModelRoutingChatClient> logger) : IChatClient
{
    private readonly string[] _available = [.. providers.Providers.Select(p => p.Name)];

    /// <exception cref="ArgumentException">The options carry no <see cref="LlmQuestion"/>.</exception>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        var question = LlmQuestion.Of(chatOptions)
            ?? throw new ArgumentException("A question to the language models is asked through LlmCaller, with its LlmQuestion: "
                                           + "its prediction's accounting writes it to the cost ledger.", nameof(chatOptions));
        var conversation = messages as IList<ChatMessage> ?? [.. messages];
        // Other instances' spend (a shared budget store), so that none of them decides on a budget another spent.
        await budget.RefreshAsync(cancellationToken);
        var decision = router.Decide(new RouteRequest(TokenEstimator.CountTokens(conversation),
            ComplexityScorer.Score(question.Complexity).Score)
        {
            MaxCostUsd = question.MaxCostUsd,
            Providers = _available,
            // Every question here wants JSON back.
            RequiresStructuredOutput = true,
            Adaptive = question.Adaptive,
        });
        if (decision.IsLocal)
        {
            question.Trace.Routed(pricer.Price(decision, new RouteUsage()));
            return new ChatResponse();
        }

        var providerOptions = LlmQuestion.Detached(chatOptions);
        string[] route = decision.Fallback is { } fallback ? [decision.Model, fallback] : [decision.Model];
        foreach (var name in route)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            // A model removed by a reload since the decision, or a provider without a key, is passed over.
            if (!settings.Current.Models.TryGetValue(name, out var model) || model is null
                || providers.Find(model.Provider) is not { } provider)
            {
                continue;
            }

            providerOptions.ModelId = model.Model;
            if (await AskAsync(provider, model, conversation, providerOptions, question, cancellationToken) is { } response)
            {
                question.AnsweredBy = new AnsweringModel(name, model.Model, model.Provider);
                question.Trace.Routed(pricer.Price(decision, new RouteUsage
                {
                    Model = name == decision.Model ? null : name,
                    InputTokens = response.Usage?.InputTokenCount,
                    OutputTokens = response.Usage?.OutputTokenCount,
                }));
                return response;
            }
        }

        if (CallerCancelled(question, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        // Nothing answered (errors, timeouts, the deadline), so the local candidates serve alone: the route says so,
        // at no cost (a failed call reports no usage to price).
        question.Trace.Routed(pricer.Price(decision with { Explanation = decision.Explanation + " No model answered: local." },
            new RouteUsage { Model = settings.Current.LocalModel.Key }));
        return new ChatResponse();
    }

    /// <summary>The whole answer as updates: the predictor reads whole answers, and a route with a fallback cannot
    /// stream a first model's partial answer and then another's.</summary>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? chatOptions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, chatOptions, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    // The providers' clients belong to the LlmProviderList, which disposes them.
    public void Dispose()
    {
    }

    /// <summary>One model, within its attempt: the response when it answered (usable or not: a model that answered in
    /// the wrong shape is not followed by another, which would cost a second full latency for a format slip), null
    /// when it failed, used up its attempt, ran into the deadline or its circuit is open.</summary>
    private async Task<ChatResponse?> AskAsync(LlmProvider provider, RoutingModelOptions model, IList<ChatMessage> conversation,
        ChatOptions providerOptions, LlmQuestion question, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var span = PredictorTelemetry.StartLlmCall(provider.Name, model.Model);
        try
        {
            var response = await provider.ClientFor(model.Model).GetResponseAsync(conversation, providerOptions, cancellationToken);
            var usable = question.IsUsable(ChatAnswer.TextOf(response));
            Record(question, provider, model, usable ? "ok" : "unreadable", response.Usage, started, span);
            if (!usable)
            {
                LogUnreadable(provider.Name, model.Model);
            }

            return response;
        }
        catch (Exception ex) when (!CallerCancelled(question, cancellationToken))
        {
            var outcome = OutcomeOf(ex, cancellationToken);
            Record(question, provider, model, outcome, null, started, span);
            if (outcome == "error")
            {
                LogFailed(ex, provider.Name, model.Model);
            }
            else if (outcome == "circuit-open")
            {
                // Skipped without a call: the fallback gets the whole remaining time.
                LogCircuitOpen(provider.Name);
            }
            else
            {
                LogNoAnswerInTime(provider.Name, model.Model, outcome);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only the caller's own cancellation gets here; an SDK may have wrapped it, and it leaves as what it is.
            throw new OperationCanceledException("The caller gave up on the question.", ex, cancellationToken);
        }

        return null;
    }

    /// <summary>Why a call gave no answer: "deadline" when the question's time ran out during it (whatever the SDK
    /// made of the cancellation), "circuit-open" when its circuit refused the call (the refusal wraps the failure that
    /// opened it, which may be a timeout), "timeout" when the provider used up its attempt (retries included), else
    /// "error".</summary>
    private static string OutcomeOf(Exception exception, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? "deadline"
        : LlmResilience.IsOpenCircuit(exception) ? "circuit-open"
        : LlmResilience.IsAttemptTimeout(exception) ? "timeout"
        : "error";

    // The caller gave up (the client went away), as opposed to the question's deadline passing: then the question is
    // abandoned, not answered late, and nothing more is recorded.
    private static bool CallerCancelled(LlmQuestion question, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested && !question.Deadline.IsCancellationRequested;

    private void Record(LlmQuestion question, LlmProvider provider, RoutingModelOptions model, string outcome, UsageDetails? details,
        long started, Activity? span)
    {
        var elapsed = time.GetElapsedTime(started);
        var input = details?.InputTokenCount;
        var output = details?.OutputTokenCount;
        var cost = model.Cost(input ?? 0, output ?? 0);
        usage.Record(new LlmUsage(provider.Name, model.Model, outcome, input, output, details?.CachedInputTokenCount, elapsed,
            time.GetUtcNow()));
        question.Trace.LlmCall(new LlmCallTrace(provider.Name, model.Model, outcome, input, output, cost,
            Math.Round(elapsed.TotalMilliseconds, 3)));
        metrics.LlmCalled(provider.Name, model.Model, outcome, input, output);
        PredictorTelemetry.EndLlmCall(span, outcome, input, output, cost, elapsed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Provider} answer ({Model}) was not in the required shape; it is not used")]
    private partial void LogUnreadable(string provider, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} ({Model}) gave no answer in time ({Outcome})")]
    private partial void LogNoAnswerInTime(string provider, string model, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} is skipped while its circuit is open")]
    private partial void LogCircuitOpen(string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} ({Model}) failed; trying the route's fallback")]
    private partial void LogFailed(Exception exception, string provider, string model);
}
