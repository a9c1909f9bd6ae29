using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;

namespace OpenSesame.Api;

/// <summary>What the host decides before it starts: where it listens when nothing says, and whether it refuses to
/// start at all.</summary>
internal static class StartupChecks
{
    /// <summary>Where the service listens when neither the environment (<c>ASPNETCORE_URLS</c>,
    /// <c>ASPNETCORE_HTTP_PORTS</c>), the command line (<c>--urls</c>) nor <c>Kestrel:Endpoints</c> says.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Listens on <see cref="DefaultUrl"/> unless an address is configured. The default is set here, not in
    /// appsettings.json: a <c>Urls</c> there is read after the <c>ASPNETCORE_</c> variables and silently wins over them.</summary>
    public static void UseDefaultAddress(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
            && !configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
    }

    /// <summary>
    /// Why the service must not start ("Refusing to start: ..."), or null. Checked before the host starts, where the same
    /// checks (options validated on start, <see cref="AnonymousAccessCheck"/>) would end the process by an unhandled
    /// exception: an abort (exit code 134) with the stack trace printed twice, for what is a configuration mistake.
    /// </summary>
    public static string? RefusalOf(WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException ex)
        {
            return $"Refusing to start: {ex.Message}";
        }

        var decision = AnonymousAccess.Decide(!app.Services.GetRequiredService<ApiKeyRing>().IsEmpty,
            AnonymousAccess.ConfiguredAddresses(app.Configuration),
            app.Services.GetRequiredService<IOptions<AccessOptions>>().Value.AllowAnonymousNonLoopback);
        return decision.Mode == AnonymousAccessMode.Refused ? decision.Message : null;
    }
}
