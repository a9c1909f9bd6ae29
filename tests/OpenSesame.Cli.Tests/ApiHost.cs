extern alias api;

using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace OpenSesame.Cli.Tests;

/// <summary>
/// The real API host in this process, listening with Kestrel on 127.0.0.1 and a port of its choosing, on its own
/// temporary data directory: what <c>opensesame replay --url</c> talks to in the tests.
/// </summary>
/// <param name="settings">Configuration on top of the host's (the same settings the in-process replay gets, keys,
/// rate limits).</param>
internal sealed class ApiHost(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<api::Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opensesame-replay-api-").FullName;

    public string DataDirectory => _dataDirectory;

    /// <summary>Starts the server and gives its root address (<c>http://127.0.0.1:port</c>).</summary>
    public string Start()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:DataDirectory", _dataDirectory);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");

        // A developer's real provider keys in the environment must not turn tests into paid calls.
        builder.UseSetting("ANTHROPIC_API_KEY", "");
        builder.UseSetting("OPENAI_API_KEY", "");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // The factory calls this more than once when it is disposed.
        if (disposing && Directory.Exists(_dataDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
