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
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestBodyOptions>>(
            (kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes);
        services.AddExceptionHandler<BadBodyHandler>();
        return services;
    }

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
