using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Api;

internal static class HealthApi
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddApiHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<SqliteHealthCheck>("storage", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Live: the process answers. Ready: its storage answers too, so traffic may be sent. Open to anyone, keys
    /// or not: orchestrators probe without credentials, and the answers reveal nothing.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        routes.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return routes;
    }
}
