using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace OpenSesame.Api;

/// <summary>Limits on the JSON bodies of <c>/predict</c> and <c>/feedback</c>. Section "Requests" of the configuration.</summary>
public sealed class RequestBodyOptions
{
    public const string Section = "Requests";

    /// <summary>Largest request body accepted, in bytes; a larger one is answered 413 before it is read (by its
    /// Content-Length) or as soon as the limit is passed (a chunked body). Default 27 MB: an inline spec of
    /// <c>Specs:MaxDocumentBytes</c> (25 MB) with room for its JSON escaping and a full history. A request without an
    /// inline spec needs far less; lower it where specs come by URL.</summary>
    public long MaxBodyBytes { get; set; } = 27L * 1024 * 1024;

    /// <summary>A body at least this large (by its Content-Length; one without a length counts as large) waits for one
    /// of <see cref="MaxConcurrentLargeBodies"/> slots before it is read. Default 1 MB: an inline spec of any size; a
    /// history and a prompt are a few kilobytes.</summary>
    public long LargeBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How many requests with a large body are worked on at once; the others wait their turn, their bodies
    /// still in the network's buffers. Each holds its body and the spec read from it (about twice the body's size) until
    /// it is answered: 64 clients sending the 2.9 MB GitHub spec at once took the service from 600 to over 1,000 MB.
    /// Default 4: with 64 such clients on two cores it held the peak at 691 MB (867 without) at about the same
    /// throughput (docs/PERFORMANCE.md).</summary>
    public int MaxConcurrentLargeBodies { get; set; } = 4;

    /// <summary>Longest wait for a slot; then 503 with Retry-After. Default 30 s.</summary>
    public TimeSpan LargeBodyQueueTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

internal static class RequestBodyLimits
{
    /// <summary>Binds <see cref="RequestBodyOptions"/>, makes Kestrel's own body limit (30,000,000 bytes unless set)
    /// the same, so one setting decides, and answers Kestrel's refusals of a body (too large, cut short, malformed) with
    /// their own status instead of 500.</summary>
    public static IServiceCollection AddRequestBodyLimits(this IServiceCollection services)
    {
        services.AddOptions<RequestBodyOptions>().BindConfiguration(RequestBodyOptions.Section)
            .Validate(o => o.MaxBodyBytes > 0, $"{RequestBodyOptions.Section}:MaxBodyBytes must be positive.")
            .Validate(o => o.LargeBodyBytes > 0 && o.MaxConcurrentLargeBodies > 0 && o.LargeBodyQueueTimeout > TimeSpan.Zero,
                $"{RequestBodyOptions.Section}:LargeBodyBytes, MaxConcurrentLargeBodies and LargeBodyQueueTimeout must be positive.")
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestBodyOptions>>(
            (kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes);
        services.AddExceptionHandler<BadBodyHandler>();
        services.AddSingleton<LargeBodyGate>();
        return services;
    }

    /// <summary>Requests with a large body (<see cref="RequestBodyOptions.LargeBodyBytes"/>) are worked on at most
    /// <see cref="RequestBodyOptions.MaxConcurrentLargeBodies"/> at a time. After the rate limiter, which refuses a
    /// request before it queues here.</summary>
    public static IApplicationBuilder UseLargeBodyGate(this IApplicationBuilder app) =>
        app.Use((context, next) => context.RequestServices.GetRequiredService<LargeBodyGate>().InvokeAsync(context, next));

    /// <summary>The server refused the body wherever it was first read (the rate limiter reads its start): the
    /// client's error, answered with the server's status; handled here, so it is not logged as an unhandled error.</summary>
    private sealed class BadBodyHandler(IProblemDetailsService problems, IOptions<RequestBodyOptions> options) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not Microsoft.AspNetCore.Http.BadHttpRequestException bad || httpContext.Response.HasStarted)
            {
                return false;
            }

            if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await ContractBody.TooLarge(options.Value.MaxBodyBytes).ExecuteAsync(httpContext);
                return true;
            }

            httpContext.Response.StatusCode = bad.StatusCode;
            return await problems.TryWriteAsync(new()
            {
                HttpContext = httpContext,
                ProblemDetails = { Status = bad.StatusCode, Title = "The request could not be read.", Detail = bad.Message },
            });
        }
    }
}
