using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Security;

/// <summary>
/// Authenticates a request by its API key (<c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>):
/// the principal is named after the key's owner and holds its roles. With no keys configured and anonymous access
/// open (<see cref="AnonymousAccess"/>), every request is an anonymous principal holding every role. The base handler's
/// own logging is off (two information lines per refused key); refusals go to <see cref="RejectedKeyLog"/>.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    UrlEncoder encoder,
    ApiKeyRing keys,
    AnonymousAccess anonymous,
    RejectedKeyLog rejected,
    RateLimitGate limits,
    IOptions<RateLimitOptions> limitOptions,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, NullLoggerFactory.Instance, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string AnonymousType = "Anonymous";
    public const string ApiKeyHeader = "X-Api-Key";

    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.IsEmpty)
        {
            return Task.FromResult(anonymous.IsOpen ? Success(AnonymousType, name: null, ApiRoles.All) : AuthenticateResult.NoResult());
        }

        var bearer = Request.Headers.Authorization.ToString();
        var fromBearer = bearer.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? bearer[BearerPrefix.Length..].Trim() : null;
        var fromHeader = Request.Headers[ApiKeyHeader].ToString().Trim();
        if (Request.Headers[ApiKeyHeader].Count > 1 || (fromBearer is { Length: > 0 } && fromHeader.Length > 0 && fromBearer != fromHeader))
        {
            return Task.FromResult(Refuse("Two different API keys were sent; send one, in one header."));
        }

        var presented = fromBearer is { Length: > 0 } ? fromBearer : fromHeader;
        if (presented.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(keys.Find(presented) is { } holder
            ? Success(SchemeName, holder.Owner, holder.Roles)
            : Refuse("The API key is not valid."));
    }

    private string Address => Context.Connection.RemoteIpAddress?.ToString() ?? "an unknown address";

    private AuthenticateResult Refuse(string reason)
    {
        rejected.Rejected(Address, reason);
        return AuthenticateResult.Fail(reason);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        // Refused keys count against their address's limit too, or guessing keys would cost nothing.
        var limit = limitOptions.Value;
        if (failure is not null && limit.Enabled
            && await limits.AcquireAsync("refused:" + Address, limit.PermitLimit, limit.Window, Context.RequestAborted) is { Allowed: false } decision)
        {
            await UserRateLimiting.WriteTooManyAsync(Context, problems, decision.ResetAfter, seconds =>
                $"This address may send {limit.PermitLimit} refused API keys per {UserRateLimiting.Describe(limit.Window)}; "
                + $"try again in {seconds} s.");
            return;
        }

        var detail = failure?.Message
                     ?? (keys.IsEmpty
                         ? "No API keys are configured and anonymous access is not open on this address."
                         : $"This route needs an API key: send it as 'Authorization: Bearer <key>' or '{ApiKeyHeader}: <key>'.");
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, failure is null ? "Bearer" : "Bearer error=\"invalid_token\"");
        await problems.TryWriteAsync(new()
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "An API key is required.", Detail = detail },
        });
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AccessProblems.WriteForbiddenAsync(Context, problems, requiredRoles: []);

    private static AuthenticateResult Success(string type, string? name, IEnumerable<string> roles)
    {
        var identity = new ClaimsIdentity(type, ClaimTypes.Name, ClaimTypes.Role);
        if (name is not null)
        {
            identity.AddClaim(new Claim(ClaimTypes.Name, name));
        }

        identity.AddClaims(roles.Select(role => new Claim(ClaimTypes.Role, role)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
