using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Prediction;
using Polly.Timeout;

namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>
/// One question to the language models, answered within a deadline or not at all: providers are asked in order of
/// preference, each within <see cref="LlmOptions.AttemptTimeout"/> (their resilience pipelines retry inside that);
/// an error, a timeout or an open circuit moves to the next. Every call is recorded, with its tokens and cost, in the
/// <see cref="LlmUsageLog"/> and the prediction's <see cref="PredictionTrace"/>. It never throws for a provider's
/// failure; only the caller's own cancellation ends it with an exception.
/// </summary>
internal sealed class LlmCaller(
    LlmProviderList providers,
    IOptions<LlmOptions> options,
    LlmUsageLog usage,
    TimeProvider time,
    ILogger<LlmCaller> logger)
{
    /// <summary>The first answer, as <paramref name="read"/> makes of its text; null when no provider answered in
    /// time, or the answer was not in the required shape.</summary>
    /// <param name="read">Returns null for an answer of the wrong shape. A provider that answered in the wrong shape
    /// did answer; asking another would cost a second full latency for a format slip, so none is asked.</param>
    public async Task<T?> AskAsync<T>(PredictionContext context, IList<ChatMessage> messages, TimeSpan deadlineAfter,
        Func<string?, T?> read, CancellationToken cancellationToken)
        where T : class
    {
        var settings = options.Value;
        using var deadline = new CancellationTokenSource(deadlineAfter, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var budget = LlmCallBudget.Begin(time, deadlineAfter, deadline.Token, cancellationToken);
        var chatOptions = new ChatOptions { MaxOutputTokens = settings.MaxOutputTokens, Temperature = 0 };
        foreach (var provider in providers.Providers)
        {
            if (linked.IsCancellationRequested)
            {
                break;
            }

            var started = time.GetTimestamp();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
            attempt.CancelAfter(settings.AttemptTimeout);
            try
            {
                // WaitAsync: at the timeout or deadline stop waiting at once; unwinding a cancelled call through the
                // SDK and the resilience handlers can take tens of milliseconds the next provider or the answer needs.
                var response = await provider.Client.GetResponseAsync(messages, chatOptions, attempt.Token).WaitAsync(attempt.Token);
                var answer = read(LlmAnswerParser.AnswerText(response));
                Record(context, provider, answer is null ? "unreadable" : "ok", response.Usage, started);
                if (answer is null)
                {
                    logger.LogWarning("The {Provider} answer was not the required JSON; it is not used.", provider.Name);
                }

                return answer;
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
            {
                var outcome = deadline.IsCancellationRequested ? "deadline" : "timeout";
                Record(context, provider, outcome, null, started);
                logger.LogWarning("{Provider} gave no answer in time ({Outcome}).", provider.Name, outcome);
            }
            catch (Exception ex) when (LlmResilience.IsOpenCircuit(ex))
            {
                // Skipped without a call: the next provider gets the whole remaining time.
                Record(context, provider, "circuit-open", null, started);
                logger.LogInformation("{Provider} is skipped while its circuit is open.", provider.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Record(context, provider, "error", null, started);
                logger.LogWarning(ex, "{Provider} failed; trying the next provider.", provider.Name);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return null;
    }

    private void Record(PredictionContext context, LlmProvider provider, string outcome, UsageDetails? details, long started)
    {
        var elapsed = time.GetElapsedTime(started);
        var input = details?.InputTokenCount;
        var output = details?.OutputTokenCount;
        var cost = options.Value.Provider(provider.Name).Cost(input, output);
        usage.Record(new LlmUsage(provider.Name, provider.Model, outcome, input, output, details?.CachedInputTokenCount, elapsed,
            time.GetUtcNow()));
        context.Trace.LlmCall(new LlmCallTrace(provider.Name, provider.Model, outcome, input, output, cost,
            Math.Round(elapsed.TotalMilliseconds, 3)));
    }
}
