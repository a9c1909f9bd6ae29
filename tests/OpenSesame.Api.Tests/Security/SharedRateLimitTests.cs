using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Testing;

namespace OpenSesame.Api.Tests.Security;

/// <summary>Two instances of the service on one Redis (<c>Redis:Configuration</c>), as behind a balancer: one limit
/// between them, and per-instance limits, never none, while Redis is away.</summary>
public sealed class SharedRateLimitTests : IAsyncDisposable
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<ApiFactory> _factories = [];
    private RedisServer? _redis;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        try
        {
            _factories.ForEach(f => f.Dispose());
        }
        finally
        {
            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }
        }
    }

    private async Task<(ApiFactory A, ApiFactory B)> TwoInstancesAsync(int permitLimit)
    {
        _redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = _redis.Configuration,
            ["Security:RateLimit:PermitLimit"] = permitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var a = new ApiFactory(settings, _time);
        var b = new ApiFactory(settings, _time);
        _factories.AddRange([a, b]);
        return (a, b);
    }

    private static async Task<HttpStatusCode> PredictAsync(HttpClient client, string userId)
    {
        using var response = await client.PostAsJsonAsync("/predict", new { user_id = userId, spec_url = BillingSpec, k = 1 }, Cancel);
        return response.StatusCode;
    }

    [Fact]
    public async Task TwoInstancesAdmitTheLimitBetweenThemAndRefuseTheNextRequestOnEither()
    {
        var (a, b) = await TwoInstancesAsync(permitLimit: 10);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        var admitted = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            admitted.Add(await PredictAsync(i % 2 == 0 ? clientA : clientB, "u-1"));
        }

        var eleventhOnA = await PredictAsync(clientA, "u-1");
        var twelfthOnB = await PredictAsync(clientB, "u-1");
        var otherUserOnB = await PredictAsync(clientB, "u-2");

        Assert.All(admitted, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, eleventhOnA);
        Assert.Equal(HttpStatusCode.TooManyRequests, twelfthOnB);
        Assert.Equal(HttpStatusCode.OK, otherUserOnB);
    }

    [Fact]
    public async Task ConcurrentRequestsOnBothInstancesAreAdmittedExactlyUpToTheLimit()
    {
        var (a, b) = await TwoInstancesAsync(permitLimit: 10);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => PredictAsync(i % 2 == 0 ? clientA : clientB, "u-1")));

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(14, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task WhenRedisStopsEachInstanceStillLimitsOnItsOwnWarnsAndIsReadyButDegradedNamingRedis()
    {
        var (a, b) = await TwoInstancesAsync(permitLimit: 3);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();
        Assert.Equal("Healthy", await clientA.GetStringAsync("/health/ready", Cancel));
        var shared = new[] { await PredictAsync(clientA, "u-1"), await PredictAsync(clientB, "u-1") };

        _redis!.Stop();
        var onA = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            onA.Add(await PredictAsync(clientA, "u-1"));
        }

        var onB = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            onB.Add(await PredictAsync(clientB, "u-1"));
        }

        using var readiness = await clientA.GetAsync("/health/ready", Cancel);
        var body = await readiness.Content.ReadAsStringAsync(Cancel);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], shared);
        // Each instance counts from zero on its own: the limit per instance, and the fourth request refused.
        HttpStatusCode[] perInstance = [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests];
        Assert.Equal(perInstance, onA);
        Assert.Equal(perInstance, onB);
        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
        Assert.StartsWith("Degraded\n", body, StringComparison.Ordinal);
        Assert.Contains("redis: Redis does not answer", body, StringComparison.Ordinal);
        Assert.Contains("rate-limits: Rate limits are counted per instance", body, StringComparison.Ordinal);
        // One warning for the four requests counted locally (at most one a minute).
        var warnings = a.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Category == typeof(OpenSesame.Api.Security.RateLimitGate).FullName).ToList();
        Assert.True(warnings.Count == 1, string.Join("\n", warnings.Select(e => e.Category + ": " + e.Message)));
        var warning = warnings[0];
        Assert.Contains("limits are counted per instance", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnceRedisAnswersAgainTheLimitIsSharedAndReadinessHealthy()
    {
        var (a, _) = await TwoInstancesAsync(permitLimit: 3);
        using var client = a.CreateClient();
        await PredictAsync(client, "u-1");
        _redis!.Stop();
        await PredictAsync(client, "u-1");
        await _redis.StartAgainAsync();

        // The connection comes back on its own within a second or two.
        var readiness = "";
        for (var wait = 0; wait < 100 && readiness != "Healthy"; wait++)
        {
            await Task.Delay(100, Cancel);
            await PredictAsync(client, "u-2");
            readiness = await client.GetStringAsync("/health/ready", Cancel);
        }

        Assert.Equal("Healthy", readiness);
        Assert.Contains(a.Logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("answers again", StringComparison.Ordinal));
    }
}
