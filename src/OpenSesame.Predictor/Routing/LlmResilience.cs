using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// One resilience pipeline per provider, on the named <see cref="HttpClient"/> its SDK sends through (outermost
/// first): a circuit breaker, a timeout of <see cref="LlmOptions.AttemptTimeout"/> for the whole attempt, and inside it
/// retries with Polly's exponential backoff, jitter and <c>Retry-After</c> handling, all on the service's
/// <see cref="TimeProvider"/>. The SDKs' own retries and timeouts stay off, and so does the client's, so this is the
/// one place a call is repeated and the one clock an attempt runs on. A retry whose wait would outlast the attempt is
/// cut by the attempt's timeout, and the router moves on to the route's fallback; the question's deadline (its
/// caller's) cancels the whole attempt, retries and all.
/// </summary>
internal static class LlmResilience
{
    public const string AnthropicHttpClient = "llm-anthropic";
    public const string OpenAIHttpClient = "llm-openai";

    /// <summary>The named clients the SDKs are built on; each name gets its own pipeline, hence its own circuit.</summary>
    public static IServiceCollection AddLlmHttpClients(this IServiceCollection services)
    {
        services.AddHttpClient(AnthropicHttpClient).AddLlmResilience();
        services.AddHttpClient(OpenAIHttpClient).AddLlmResilience();
        return services;
    }

    /// <summary>True when the exception, or one it wraps (an SDK may), says the provider's circuit is open.</summary>
    public static bool IsOpenCircuit(Exception exception) => Wraps<BrokenCircuitException>(exception);

    /// <summary>True when the exception, or one it wraps, says the provider used up its attempt: Polly's timeout fired
    /// while neither the deadline nor the caller had cancelled the call.</summary>
    public static bool IsAttemptTimeout(Exception exception) => Wraps<TimeoutRejectedException>(exception);

    private static bool Wraps<TException>(Exception exception)
        where TException : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is TException)
            {
                return true;
            }
        }

        return false;
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
        // The attempt's timeout below owns the time of a call; HttpClient's own 100 s would be a second clock.
        http.ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        http.AddResilienceHandler("llm", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<LlmOptions>>().Value;
            var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.TimeProvider = time;
            var resilience = options.Resilience;

            // Outside the attempt, so it judges whole attempts and Polly tells it what ended them: the attempt's own
            // timeout arrives as a TimeoutRejectedException, a transient failure that counts (the provider used up
            // its attempt), while a call the question's deadline or the caller cut short arrives as an
            // OperationCanceledException, which does not: the provider did not fail.
            pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = resilience.FailureRatio,
                MinimumThroughput = resilience.MinimumThroughput,
                SamplingDuration = resilience.SamplingDuration,
                BreakDuration = resilience.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            });

            pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.AttemptTimeout });

            if (resilience.MaxRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = resilience.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = resilience.RetryBaseDelay,
                    MaxDelay = resilience.MaxRetryAfter,
                    ShouldRetryAfterHeader = true,
                    // Polly waits as long as a Retry-After asks (its MaxDelay caps only the backoff); a provider asking
                    // for longer than MaxRetryAfter is not retried at all, so the fallback gets the time now rather
                    // than when the attempt's timeout ends the wait.
                    ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)
                        && !AsksToWaitLongerThan(args.Outcome.Result, resilience.MaxRetryAfter, time)),
                });
            }
        });
        return http;
    }

    private static bool AsksToWaitLongerThan(HttpResponseMessage? response, TimeSpan most, TimeProvider time) =>
        response?.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta > most,
            { Date: { } date } => date - time.GetUtcNow() > most,
            _ => false,
        };
}
