using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;

namespace OpenSesame.Api.Tests.Security;

public sealed class AnonymousAccessTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:5000")]
    [InlineData("https://[::1]:8443")]
    [InlineData("http://127.0.0.2:8080")]
    [InlineData("http://unix:/run/opensesame.sock")]
    public void ServesAnonymouslyWhenNoKeysAreConfiguredAndOnlyThisMachineCanConnect(string address)
    {
        var decision = AnonymousAccess.Decide(keysConfigured: false, ["http://127.0.0.1:9000", address], allowNonLoopback: false);

        Assert.Equal(AnonymousAccessMode.Loopback, decision.Mode);
        Assert.Empty(decision.Exposed);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://*:8080")]
    [InlineData("http://+:8080")]
    [InlineData("http://[::]:8080")]
    [InlineData("http://10.0.0.5:8080")]
    [InlineData("http://opensesame.example.com:8080")]
    public void RefusesWhenNoKeysAreConfiguredAndOtherMachinesCouldConnect(string address)
    {
        var decision = AnonymousAccess.Decide(keysConfigured: false, ["http://127.0.0.1:9000", address], allowNonLoopback: false);

        Assert.Equal(AnonymousAccessMode.Refused, decision.Mode);
        Assert.Equal([address], decision.Exposed);
        Assert.Contains(address, decision.Message, StringComparison.Ordinal);
        Assert.Contains("Security:AllowAnonymousNonLoopback=true", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServesAnonymouslyOnOtherAddressesOnlyWhenTheOperatorAllowsItExplicitly() =>
        Assert.Equal(AnonymousAccessMode.AllowedExplicitly,
            AnonymousAccess.Decide(keysConfigured: false, ["http://0.0.0.0:8080"], allowNonLoopback: true).Mode);

    [Theory]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://127.0.0.1:8080", true)]
    public void WithKeysConfiguredNobodyIsAnonymousWhereverTheServiceListens(string address, bool allow) =>
        Assert.Equal(AnonymousAccessMode.Off, AnonymousAccess.Decide(keysConfigured: true, [address], allow).Mode);

    [Theory]
    [InlineData(null, null, null, "http://localhost:5000")]
    [InlineData("http://127.0.0.1:8080;http://0.0.0.0:9090", "8080", null, "http://127.0.0.1:8080|http://0.0.0.0:9090")]
    [InlineData(null, "8080;8081", null, "http://*:8080|http://*:8081")]
    [InlineData("http://127.0.0.1:8080", null, "http://0.0.0.0:7000", "http://127.0.0.1:8080|http://0.0.0.0:7000")]
    public void ReadsTheAddressesFromConfigurationAsTheHostAndKestrelDo(string? urls, string? httpPorts, string? kestrelEndpoint, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = urls,
            ["http_ports"] = httpPorts,
            ["Kestrel:Endpoints:Public:Url"] = kestrelEndpoint,
        }).Build();

        Assert.Equal(expected.Split('|'), AnonymousAccess.ConfiguredAddresses(configuration));
    }

    [Fact]
    public async Task StartsWithoutKeysOnLoopbackAndLogsThatAnonymousAccessIsOn()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:8080" });
        using var client = factory.CreateClient();

        using var admin = await client.GetAsync("/admin/model", Cancel);
        using var predict = await client.PostAsJsonAsync("/predict",
            new { spec_url = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml"), k = 1 }, Cancel);

        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Information
                                                   && e.Message.StartsWith("Anonymous access is on", StringComparison.Ordinal)
                                                   && e.Message.Contains("http://127.0.0.1:8080", StringComparison.Ordinal));
    }

    [Fact]
    public void RefusesToStartWithoutKeysOnAnAddressOtherMachinesCanReach()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["urls"] = "http://0.0.0.0:8080" });

        var reason = factory.StartExpectingRefusal();

        Assert.Contains("Refusing to start: no API keys are configured (Security:ApiKeys) and the service would listen on http://0.0.0.0:8080", reason, StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Critical && e.Message.StartsWith("Refusing to start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartsThereWithoutKeysWhenAllowedExplicitlyAndWarnsAboutIt()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["urls"] = "http://0.0.0.0:8080",
            ["Security:AllowAnonymousNonLoopback"] = "true",
        });
        using var client = factory.CreateClient();

        using var admin = await client.GetAsync("/admin/model", Cancel);

        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("AllowAnonymousNonLoopback is true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartsThereWithKeysAndServesNobodyAnonymously()
    {
        using var factory = new ApiFactory(TestKeys.Settings(("urls", "http://0.0.0.0:8080")));
        using var client = factory.CreateClient();

        using var admin = await client.GetAsync("/admin/model", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        Assert.Contains(factory.Logs.Entries, e => e.Message.StartsWith("Access control is on: 4 API key(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LetsAnonymousCallersInOnlyOnceTheServerListensOnLoopback()
    {
        var (check, access) = Check(configuredUrls: "http://127.0.0.1:8080", bound: "http://127.0.0.1:8080");

        await check.StartingAsync(Cancel);
        var openBeforeStart = access.IsOpen;
        await check.StartedAsync(Cancel);

        Assert.False(openBeforeStart);
        Assert.True(access.IsOpen);
    }

    [Fact]
    public async Task RefusesOnceStartedWhenTheServerBoundAnAddressConfigurationDidNotShow()
    {
        // Code can add listeners (ConfigureKestrel(o => o.ListenAnyIP(...))) that no configuration key names.
        var (check, access) = Check(configuredUrls: "http://127.0.0.1:8080", bound: "http://[::]:8080");

        await check.StartingAsync(Cancel);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => check.StartedAsync(Cancel));

        Assert.Contains("http://[::]:8080", error.Message, StringComparison.Ordinal);
        Assert.False(access.IsOpen);
    }

    private static (AnonymousAccessCheck Check, AnonymousAccess Access) Check(string configuredUrls, string bound)
    {
        var options = Options.Create(new AccessOptions());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = configuredUrls }).Build();
        var access = new AnonymousAccess();
        var check = new AnonymousAccessCheck(new ApiKeyRing(options), options, configuration, new ListeningServer(bound), access,
            NullLogger<AnonymousAccessCheck>.Instance);
        return (check, access);
    }

    private sealed class ListeningServer : IServer
    {
        public ListeningServer(string address)
        {
            var addresses = new ServerAddressesFeature();
            addresses.Addresses.Add(address);
            Features.Set<IServerAddressesFeature>(addresses);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
