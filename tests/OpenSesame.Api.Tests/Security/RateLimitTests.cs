using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Api.Security;

namespace OpenSesame.Api.Tests.Security;

public sealed class RateLimitTests : IDisposable
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");
    private readonly FakeTimeProvider _time = new();
    private readonly List<ApiFactory> _factories = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _factories.ForEach(f => f.Dispose());

    private HttpClient Client(Dictionary<string, string?>? settings = null)
    {
        var factory = new ApiFactory(settings, _time);
        _factories.Add(factory);
        return factory.CreateClient();
    }

    private static async Task<HttpResponseMessage> PredictAsync(HttpClient client, string? userId, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict")
        {
            Content = JsonContent.Create(new { user_id = userId, spec_url = BillingSpec, k = 1 }),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request, Cancel);
    }

    private static async Task<List<HttpStatusCode>> PredictTimesAsync(HttpClient client, int times, string? userId, string? key = null)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < times; i++)
        {
            using var response = await PredictAsync(client, userId, key);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task RefusesTheSixtyFirstRequestOfAUserInAMinuteWith429AndRetryAfter()
    {
        using var client = Client();
        var first60 = await PredictTimesAsync(client, 60, "u-1");
        _time.Advance(TimeSpan.FromSeconds(45));

        using var response = await PredictAsync(client, "u-1");

        Assert.All(first60, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(15), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
        Assert.Equal("Each caller may make 60 requests per minute (this one is counted by its user_id); try again in 15 s.", (string?)body["detail"]);
    }

    [Fact]
    public async Task AnotherUserIsNotAffected()
    {
        using var client = Client();
        await PredictTimesAsync(client, 61, "u-1");

        using var other = await PredictAsync(client, "u-2");

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task AUserMayCallAgainOnceTheWindowHasPassed()
    {
        using var client = Client();
        var statuses = await PredictTimesAsync(client, 61, "u-1");
        _time.Advance(TimeSpan.FromSeconds(59));
        using var stillRefused = await PredictAsync(client, "u-1");
        _time.Advance(TimeSpan.FromSeconds(1));

        using var again = await PredictAsync(client, "u-1");

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillRefused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task CountsAKeysRequestsByItsOwnerWhateverUserIdTheySend()
    {
        using var client = Client(TestKeys.Settings());
        for (var i = 0; i < 60; i++)
        {
            using var response = await PredictAsync(client, $"u-{i}", TestKeys.Alice);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var alice = await PredictAsync(client, "someone-new", TestKeys.Alice);
        using var bob = await PredictAsync(client, "someone-new", TestKeys.Bob);

        Assert.Equal(HttpStatusCode.TooManyRequests, alice.StatusCode);
        Assert.Contains("API key owner", await alice.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
    }

    [Fact]
    public async Task RefusedKeysCountAgainstTheirAddressAndTheOneOverTheLimitIsAnswered429WhileAValidKeyStillWorks()
    {
        using var client = Client(TestKeys.Settings(("Security:RateLimit:PermitLimit", "3")));

        var guesses = await PredictTimesAsync(client, 3, "u-1", "os_guess");
        using var fourth = await PredictAsync(client, "u-1", "os_guess");
        using var alice = await PredictAsync(client, "u-1", TestKeys.Alice);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], guesses);
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.Equal("60", fourth.Headers.RetryAfter?.ToString());
        Assert.Contains("refused API keys per minute", await fourth.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
        _time.Advance(TimeSpan.FromMinutes(1));
        using var later = await PredictAsync(client, "u-1", "os_guess");
        Assert.Equal(HttpStatusCode.Unauthorized, later.StatusCode);
    }

    [Fact]
    public async Task TakesTheLimitAndTheWindowFromConfiguration()
    {
        using var client = Client(new() { ["Security:RateLimit:PermitLimit"] = "2", ["Security:RateLimit:Window"] = "00:00:10" });

        var statuses = await PredictTimesAsync(client, 3, "u-1");
        using var refused = await PredictAsync(client, "u-1");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(TimeSpan.FromSeconds(10), refused.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task CanBeTurnedOff()
    {
        using var client = Client(new() { ["Security:RateLimit:PermitLimit"] = "1", ["Security:RateLimit:Enabled"] = "false" });

        var statuses = await PredictTimesAsync(client, 3, "u-1");

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task DoesNotLimitHealthChecks()
    {
        using var client = Client(new() { ["Security:RateLimit:PermitLimit"] = "1" });

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/health/live", Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task AUserIdBeyondTheScannedPrefixCountsByClientAddressAndTheEndpointStillReadsTheWholeBody()
    {
        using var client = Client(new() { ["Security:RateLimit:PermitLimit"] = "1" });
        var spec = await File.ReadAllTextAsync(BillingSpec, Cancel);
        var padding = new string(' ', RateLimitCaller.UserIdScanBytes);
        string Body(string userId) => new JsonObject { ["spec"] = spec, ["k"] = 1 }.ToJsonString().TrimEnd('}')
                                      + padding + $", \"user_id\": \"{userId}\" }}";

        using var first = await client.PostAsync("/predict", new StringContent(Body("u-1"), Encoding.UTF8, "application/json"), Cancel);
        using var second = await client.PostAsync("/predict", new StringContent(Body("u-2"), Encoding.UTF8, "application/json"), Cancel);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Single(JsonNode.Parse(await first.Content.ReadAsStringAsync(Cancel))!["predictions"]!.AsArray());
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("client address", await second.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }
}
