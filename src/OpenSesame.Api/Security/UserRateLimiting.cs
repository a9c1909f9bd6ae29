using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Security;

/// <summary>
/// Per-caller rate limits on the routes that ask for them (<see cref="RequireUserRateLimit{TBuilder}"/>).
/// </summary>
/// <remarks>
/// Not ASP.NET Core's rate-limiting middleware: its partition function is synchronous, so it can neither wait for the
/// body's <c>user_id</c> nor for a shared store, and its partitioned limiters keep their counts in the process on the
/// system clock. This one keeps counts behind <see cref="IRateLimitStore"/> (through <see cref="RateLimitGate"/>, which
/// counts in the process when a shared store fails) and reads time from <see cref="TimeProvider"/>. It runs after authorization, so only calls a route accepts are counted.
/// </remarks>
internal static class UserRateLimiting
{
    public static IServiceCollection AddUserRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => o.PermitLimit >= 1 && o.Window > TimeSpan.Zero,
                $"{RateLimitOptions.Section}: PermitLimit must be at least 1 and Window positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        // The process's own counts: the store unless a provider registered a shared one, and its fall-back if so.
        services.TryAddSingleton<InMemoryRateLimitStore>();
        services.TryAddSingleton<IRateLimitStore>(sp => sp.GetRequiredService<InMemoryRateLimitStore>());
        services.TryAddSingleton<RateLimitGate>();
        return services;
    }

    public static IApplicationBuilder UseUserRateLimiting(this IApplicationBuilder app) => app.UseMiddleware<Middleware>();

    /// <summary>Counts each call of these routes against its caller's limit; over it, 429 with Retry-After.</summary>
    public static TBuilder RequireUserRateLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Limited.Instance).ProducesProblem(StatusCodes.Status429TooManyRequests);

    private sealed class Limited
    {
        public static readonly Limited Instance = new();
    }

    private sealed class Middleware(RequestDelegate next, RateLimitGate store, IOptions<RateLimitOptions> options, IProblemDetailsService problems)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            var limit = options.Value;
            if (!limit.Enabled || context.GetEndpoint()?.Metadata.GetMetadata<Limited>() is null)
            {
                await next(context);
                return;
            }

            var caller = await RateLimitCaller.ResolveAsync(context);
            var decision = await store.AcquireAsync(caller.Partition, limit.PermitLimit, limit.Window, context.RequestAborted);
            if (decision.Allowed)
            {
                await next(context);
                return;
            }

            await WriteTooManyAsync(context, problems, decision.ResetAfter, seconds =>
                $"Each caller may make {limit.PermitLimit} requests per {Describe(limit.Window)} (this one is "
                + $"counted by its {caller.Kind}); try again in {seconds} s.");
        }

    }

    /// <summary>A window in words, for the 429 answers: "minute", "30 s", "5 min".</summary>
    public static string Describe(TimeSpan window) => window == TimeSpan.FromMinutes(1) ? "minute"
        : window.TotalSeconds < 120 ? $"{window.TotalSeconds:0.###} s"
        : $"{window.TotalMinutes:0.###} min";

    /// <summary>429 with Retry-After and problem details; <paramref name="detail"/> gets the seconds to wait.</summary>
    public static async Task WriteTooManyAsync(HttpContext context, IProblemDetailsService problems, TimeSpan resetAfter,
        Func<long, string> detail)
    {
        // Whole seconds, rounded up: a client that waits exactly this long is inside the next window.
        var seconds = Math.Max(1, (long)Math.Ceiling(resetAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        await problems.TryWriteAsync(new()
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "https://tools.ietf.org/html/rfc6585#section-4",
                Title = "Too many requests.",
                Detail = detail(seconds),
            },
        });
    }
}
