using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Usage;
using OpenSesame.Testing;

namespace OpenSesame.Api.Tests.Security;

/// <summary>Two instances on one PostgreSQL store and one Redis, as the scaled setup runs them: a step learned from a
/// request on one is used by the other's next predictions at once, not after its refresh interval.</summary>
public sealed class SharedUsageTests : IAsyncDisposable
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<ApiFactory> _factories = [];
    private RedisServer? _redis;
    private PostgresServer? _postgres;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        _factories.ForEach(f => f.Dispose());
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    [Fact]
    public async Task AStepLearnedOnOneInstanceIsUsedByTheOtherLongBeforeItsRefreshInterval()
    {
        _redis = await RedisServer.StartAsync();
        _postgres = await PostgresServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = _redis.Configuration,
            ["Storage:Provider"] = "Postgres",
            ["Storage:Postgres:ConnectionString"] = _postgres.ConnectionString(await _postgres.CreateDatabaseAsync()),
            // Only a notice can explain seeing the step: the clock never reaches a refresh.
            ["Usage:RefreshInterval"] = "01:00:00",
        };
        var a = new ApiFactory(settings, _time);
        var b = new ApiFactory(settings, _time);
        _factories.AddRange([a, b]);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        // B has the spec's layers in memory, empty, before A learns anything (a request without calls teaches nothing).
        Assert.Equal(HttpStatusCode.OK, await PredictAsync(clientB));
        Assert.False(await SeesTheStepAsync(b));

        Assert.Equal(HttpStatusCode.OK, await PredictAsync(clientA, "GET /v1/invoices", "GET /v1/invoices/in_1"));

        var seen = false;
        for (var i = 0; i < 100 && !seen; i++)
        {
            // The notice travels in real time; a layer is read again at most every ReloadAfterChange of the service's clock.
            await Task.Delay(TimeSpan.FromMilliseconds(100), Cancel);
            _time.Advance(TimeSpan.FromMilliseconds(300));
            seen = await SeesTheStepAsync(b);
        }

        Assert.True(seen, "B never saw A's step, though its clock passed ReloadAfterChange many times.");
        Assert.True(_time.GetUtcNow() - new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero) < TimeSpan.FromHours(1));
    }

    private static async Task<HttpStatusCode> PredictAsync(HttpClient client, params string[] calls)
    {
        using var response = await client.PostAsJsonAsync("/predict", new
        {
            spec_url = BillingSpec,
            k = 1,
            events = calls.Select(c => new { endpoint = c, @params = new Dictionary<string, object>() }),
        }, Cancel);
        return response.StatusCode;
    }

    // Whether B's predictions after "GET /v1/invoices" would use what followed it: requests through the test server come from no address,
    // so both instances count them for the same caller, whose own steps always count for it.
    private async Task<bool> SeesTheStepAsync(ApiFactory instance)
    {
        var catalog = (await instance.Services.GetRequiredService<SpecProvider>().GetAsync(SpecSource.Inline(await File.ReadAllTextAsync(BillingSpec, Cancel)), Cancel)).Catalog;
        var usage = await instance.Services.GetRequiredService<UsageLearning>().ForAsync(catalog, new UsageCaller(null), null, Cancel);
        var history = PredictionContext.Create(catalog, [HistoryEvent.ParseEndpoint("GET /v1/invoices") is { } p
            ? new HistoryEvent(null, p.Method, p.Path, HistoryEvent.NoParams)
            : throw new InvalidOperationException()], null, DateTimeOffset.UnixEpoch).History;
        // Order 2: a step seen after exactly that call, not only how often operations are called.
        return usage!.Estimate(history, catalog.Operations.Count, _time.GetUtcNow()).Crowd.Order == 2;
    }
}
