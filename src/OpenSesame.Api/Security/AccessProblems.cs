using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OpenSesame.Api.Security;

/// <summary>
/// Answers a caller whose key lacks a route's role with 403 problem details that name the role, which only the
/// authorization result knows (an authentication handler's Forbid does not). Everything else is the default.
/// </summary>
internal sealed class AccessProblems(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var roles = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RolesAuthorizationRequirement>()
            .SelectMany(r => r.AllowedRoles).Distinct().ToList() ?? [];
        return WriteForbiddenAsync(context, problems, roles);
    }

    public static async Task WriteForbiddenAsync(HttpContext context, IProblemDetailsService problems, IReadOnlyList<string> requiredRoles)
    {
        var who = context.User.Identity?.Name is { } owner ? $"The key of {owner}" : "This key";
        var has = context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();
        var detail = requiredRoles.Count == 0
            ? $"{who} may not call this route."
            : $"{who} lacks the role this route needs ({string.Join(" or ", requiredRoles)}); "
              + $"it has {(has.Count == 0 ? "no roles" : string.Join(", ", has))}.";
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.TryWriteAsync(new()
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "The API key may not call this route.", Detail = detail },
        });
    }
}
