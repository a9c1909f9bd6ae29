using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// One resilience pipeline per provider, on the named <see cref="HttpClient"/> its SDK sends through (outermost
/// first): retries with exponential backoff and jitter, a circuit breaker, and a per-try timeout. The SDKs' own
/// retries stay off, so this is the only place a call is repeated, and every wait here is measured against what the
/// attempt and the generator's deadline (<see cref="LlmCallBudget"/>) have left: a wait that would not fit is not
/// started, and the generator moves on to the next provider while there is still time for it.
/// </summary>
internal static class LlmResilience
{
    public const string AnthropicHttpClient = "llm-anthropic";
    public const string OpenAIHttpClient = "llm-openai";

    private static readonly ResiliencePropertyKey<long> FirstTryStarted = new("llm-first-try-started");
    private static readonly ResiliencePropertyKey<TimeSpan> PlannedDelay = new("llm-planned-delay");

    /// <summary>The named clients the SDKs are built on; each name gets its own pipeline, hence its own circuit.</summary>
    public static IServiceCollection AddLlmHttpClients(this IServiceCollection services)
    {
        services.AddHttpClient(AnthropicHttpClient).AddLlmResilience();
        services.AddHttpClient(OpenAIHttpClient).AddLlmResilience();
        return services;
    }

    /// <summary>True when the exception, or one it wraps (an SDK may), says the provider's circuit is open.</summary>
    public static bool IsOpenCircuit(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is BrokenCircuitException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The wait before retry number <paramref name="attempt"/> (0 for the first): the provider's
    /// <c>retry-after</c> when it sent one, else the doubling backoff with ±50 % jitter (<paramref name="random"/> in
    /// [0, 1)); <c>null</c> when the provider asks for longer than <see cref="LlmResilienceOptions.MaxRetryAfter"/>.</summary>
    internal static TimeSpan? RetryDelay(HttpResponseMessage? response, int attempt, LlmResilienceOptions options,
        TimeProvider time, double random)
    {
        if (response is not null && RetryAfter(response, time) is { } asked)
        {
            return asked <= options.MaxRetryAfter ? asked : null;
        }

        return options.RetryBaseDelay * Math.Pow(2, attempt) * (0.5 + random);
    }

    /// <summary><c>retry-after-ms</c> (which both APIs may send, and is finer) or <c>retry-after</c> in seconds or
    /// as an HTTP date.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
            _ => null,
        };
    }

    private static IHttpClientBuilder AddLlmResilience(this IHttpClientBuilder http)
    {
        // The SDK clients live as long as the service and keep their HttpClient, so the factory never rotates this
        // handler; recycling pooled connections instead keeps DNS changes of the provider's endpoints visible.
        http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
        http.AddResilienceHandler("llm", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<LlmOptions>>().Value;
            var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.TimeProvider = time;
            var resilience = options.Resilience;
            if (resilience.MaxRetries > 0)
            {
                pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = resilience.MaxRetries,
                    ShouldHandle = args => ValueTask.FromResult(PlanRetry(args.Outcome, args.AttemptNumber, args.Context, options, time)),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(PlannedDelay, TimeSpan.Zero)),
                });
            }

            pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = resilience.FailureRatio,
                MinimumThroughput = resilience.MinimumThroughput,
                SamplingDuration = resilience.SamplingDuration,
                BreakDuration = resilience.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
            });

            // A backstop: the generator already gives each provider AttemptTimeout. The first try's start is kept
            // here because it is the one place the pipeline sees before the request goes out.
            pipeline.AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args =>
                {
                    if (!args.Context.Properties.TryGetValue(FirstTryStarted, out _))
                    {
                        args.Context.Properties.Set(FirstTryStarted, time.GetTimestamp());
                    }

                    return ValueTask.FromResult(options.AttemptTimeout);
                },
            });
        });
        return http;
    }

    /// <summary>Whether to retry, and (in the context) after how long: only transient failures, and only when the
    /// wait leaves time before the attempt and the deadline end. A retry that cannot fit ends the attempt now, so the
    /// next provider gets the time instead.</summary>
    private static bool PlanRetry(Outcome<HttpResponseMessage> outcome, int attempt, ResilienceContext context,
        LlmOptions options, TimeProvider time)
    {
        if (context.CancellationToken.IsCancellationRequested || !HttpClientResiliencePredicates.IsTransient(outcome))
        {
            return false;
        }

        if (RetryDelay(outcome.Result, attempt, options.Resilience, time, Random.Shared.NextDouble()) is not { } delay)
        {
            return false;
        }

        var left = options.AttemptTimeout;
        if (context.Properties.TryGetValue(FirstTryStarted, out var started))
        {
            left -= time.GetElapsedTime(started);
        }

        if (LlmCallBudget.Current is { } budget && budget.Remaining < left)
        {
            left = budget.Remaining;
        }

        if (delay >= left)
        {
            return false;
        }

        context.Properties.Set(PlannedDelay, delay);
        return true;
    }

    /// <summary>What the breaker counts against a provider: the transient failures retries are for (408, 429, 5xx,
    /// transport errors, a timed-out try), and a call the generator abandoned because the provider used up its whole
    /// attempt. A call cut short by the deadline or by the caller is not the provider's failure.</summary>
    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome)
        || (outcome.Exception is OperationCanceledException && LlmCallBudget.Current is { AttemptTimedOut: true });
}
