using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Security;

/// <summary>The authorization policies routes name: one per role, spelled like it.</summary>
public static class AccessPolicy
{
    /// <summary><c>.RequireAuthorization(AccessPolicy.Predict)</c>: the caller's key has the <c>predict</c> role.</summary>
    public const string Predict = ApiRoles.Predict;

    public const string Feedback = ApiRoles.Feedback;

    /// <summary>Operator routes (model status, cost analytics; later retraining, specs).</summary>
    public const string Admin = ApiRoles.Admin;
}

internal static class AccessControl
{
    /// <summary>API-key authentication, a policy per role, problem details for 401 and 403, and the startup rule for
    /// anonymous access. Options bind from the "Security" section and are validated at start.</summary>
    public static IServiceCollection AddAccessControl(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        services.AddSingleton<ApiKeyRing>();
        services.AddSingleton<RejectedKeyLog>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AnonymousAccess>();
        services.AddHostedService<AnonymousAccessCheck>();

        // Not AddAuthentication(): it also brings data protection, which only cookie schemes need and which writes a
        // key ring to the home folder (and warns about it) at every start.
        services.AddAuthenticationCore(o => o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName);
        services.AddWebEncoders();
        new AuthenticationBuilder(services)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, configureOptions: null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var role in ApiRoles.All)
        {
            authorization.AddPolicy(role, policy => policy.RequireRole(role));
        }

        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessProblems>();
        return services;
    }

    public static IApplicationBuilder UseAccessControl(this IApplicationBuilder app) =>
        app.UseAuthentication().UseAuthorization();
}
