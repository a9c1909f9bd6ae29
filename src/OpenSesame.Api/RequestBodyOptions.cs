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
    /// <summary>Binds <see cref="RequestBodyOptions"/> and makes Kestrel's own body limit (30,000,000 bytes unless
    /// set) the same, so one setting decides.</summary>
    public static IServiceCollection AddRequestBodyLimits(this IServiceCollection services)
    {
        services.AddOptions<RequestBodyOptions>().BindConfiguration(RequestBodyOptions.Section)
            .Validate(o => o.MaxBodyBytes > 0, $"{RequestBodyOptions.Section}:MaxBodyBytes must be positive.")
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestBodyOptions>>(
            (kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes);
        return services;
    }
}
