using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace OpenSesame.Api.Security;

internal enum AnonymousAccessMode
{
    /// <summary>Keys are configured: every protected route needs one.</summary>
    Off,

    /// <summary>No keys, and only this machine can connect.</summary>
    Loopback,

    /// <summary>No keys, reachable from other machines, because the operator said so.</summary>
    AllowedExplicitly,

    /// <summary>No keys and reachable from other machines: the service must not run like this.</summary>
    Refused,
}

/// <param name="Exposed">The addresses other machines could connect to.</param>
internal sealed record AnonymousAccessDecision(AnonymousAccessMode Mode, IReadOnlyList<string> Addresses, IReadOnlyList<string> Exposed)
{
    public string Message => Mode switch
    {
        AnonymousAccessMode.Off => "Access control is on: every protected route needs an API key.",
        AnonymousAccessMode.Loopback =>
            $"Anonymous access is on: no API keys are configured ({AccessOptions.Section}:ApiKeys) and the service listens "
            + $"only on loopback ({string.Join(", ", Addresses)}), so every caller on this machine has every role. "
            + "Configure keys before listening on another address.",
        AnonymousAccessMode.AllowedExplicitly =>
            $"Anonymous access is on for addresses other machines can reach ({string.Join(", ", Exposed)}) because "
            + $"{AccessOptions.Section}:AllowAnonymousNonLoopback is true: anyone who can connect has every role.",
        _ =>
            $"Refusing to start: no API keys are configured ({AccessOptions.Section}:ApiKeys) and the service would listen on "
            + $"{string.Join(", ", Exposed)}, where anyone who can connect could call it. Add a key ('opensesame keys new "
            + "--owner <name> --roles predict'), listen on 127.0.0.1 only (Urls=http://127.0.0.1:8080), or set "
            + $"{AccessOptions.Section}:AllowAnonymousNonLoopback=true to serve anonymous callers anyway.",
    };
}

/// <summary>
/// Whether callers without a key are served. Closed until the host has started and the addresses it listens on
/// were checked, so a misconfigured service never answers anonymously, not even while it starts.
/// </summary>
internal sealed class AnonymousAccess
{
    private volatile bool _open;

    public bool IsOpen => _open;

    internal void Open() => _open = true;

    /// <summary>The rule: keys, or loopback only, or the operator's explicit consent.</summary>
    public static AnonymousAccessDecision Decide(bool keysConfigured, IEnumerable<string> addresses, bool allowNonLoopback)
    {
        var all = addresses.ToList();
        var exposed = all.Where(a => !IsLocalOnly(a)).ToList();
        var mode = keysConfigured ? AnonymousAccessMode.Off
            : exposed.Count == 0 ? AnonymousAccessMode.Loopback
            : allowNonLoopback ? AnonymousAccessMode.AllowedExplicitly
            : AnonymousAccessMode.Refused;
        return new AnonymousAccessDecision(mode, all, exposed);
    }

    /// <summary>
    /// Where the host will listen, read from configuration the way the web host and Kestrel read it: <c>urls</c>,
    /// else <c>http_ports</c>/<c>https_ports</c> (all interfaces), plus any <c>Kestrel:Endpoints</c>; with none of
    /// them, Kestrel's default, localhost. Endpoints and urls are both counted although Kestrel uses only the
    /// endpoints when it has some: counting too much can only refuse, never expose.
    /// </summary>
    public static IReadOnlyList<string> ConfiguredAddresses(IConfiguration configuration)
    {
        var addresses = Split(configuration[WebHostDefaults.ServerUrlsKey]).ToList();
        if (addresses.Count == 0)
        {
            addresses.AddRange(Split(configuration[WebHostDefaults.HttpPortsKey]).Select(port => $"http://*:{port}"));
            addresses.AddRange(Split(configuration[WebHostDefaults.HttpsPortsKey]).Select(port => $"https://*:{port}"));
        }

        addresses.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(endpoint => endpoint["Url"]).OfType<string>().Where(url => url.Length > 0));
        return addresses.Count > 0 ? addresses : ["http://localhost:5000"];

        static IEnumerable<string> Split(string? value) =>
            (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Only this machine can connect: a loopback IP, <c>localhost</c> (Kestrel binds it to the loopback addresses
    /// only), a Unix socket or a named pipe. Wildcards (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) and host
    /// names (Kestrel binds those to every interface) are reachable from elsewhere.
    /// </summary>
    public static bool IsLocalOnly(string address)
    {
        var rest = address.Trim();
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
        }

        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("pipe:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string host;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? rest[1..close] : rest;
        }
        else
        {
            var end = rest.IndexOfAny([':', '/']);
            host = end >= 0 ? rest[..end] : rest;
        }

        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
               || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}

/// <summary>
/// Applies the rule twice: before anything starts, on the configured addresses, so a service that must not run
/// fails before it binds or trains; and once the server listens, on the addresses it really bound (code may add
/// listeners configuration does not show). Only then are anonymous callers let in.
/// </summary>
internal sealed class AnonymousAccessCheck(
    ApiKeyRing keys,
    IOptions<AccessOptions> options,
    IConfiguration configuration,
    IServer server,
    AnonymousAccess access,
    ILogger<AnonymousAccessCheck> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var decision = Decide(AnonymousAccess.ConfiguredAddresses(configuration));
        if (decision.Mode == AnonymousAccessMode.Off)
        {
            logger.LogInformation("Access control is on: {Count} API key(s) configured, for {Owners}; calls without a key are refused.",
                keys.Owners.Count(), string.Join(", ", keys.Owners));
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // In-memory test servers listen nowhere; the configured addresses stand for them.
        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        var decision = Decide(bound is { Count: > 0 } ? bound : AnonymousAccess.ConfiguredAddresses(configuration));
        switch (decision.Mode)
        {
            case AnonymousAccessMode.Loopback:
                logger.LogInformation("{Message}", decision.Message);
                access.Open();
                break;
            case AnonymousAccessMode.AllowedExplicitly:
                logger.LogWarning("{Message}", decision.Message);
                access.Open();
                break;
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private AnonymousAccessDecision Decide(IEnumerable<string> addresses)
    {
        var decision = AnonymousAccess.Decide(!keys.IsEmpty, addresses, options.Value.AllowAnonymousNonLoopback);
        if (decision.Mode == AnonymousAccessMode.Refused)
        {
            logger.LogCritical("{Message}", decision.Message);
            throw new InvalidOperationException(decision.Message);
        }

        return decision;
    }
}
