using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Api.Tests.Security;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Api.Tests;

/// <summary>
/// Issue 18's poisoning repro through the service with its shipped model, on the real Stripe spec: one key sends 200
/// made-up histories (a customer, then "send invoice"); another key's answer after looking at a customer is compared
/// with the answer the same request gets from a deployment that never saw the attack.
/// </summary>
public sealed class UsagePoisoningApiTests
{
    private static readonly string Stripe = Path.Combine(ApiFactory.EvalData, "specs/stripe-openapi/openapi/spec3.yaml");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static bool IsSend(string endpoint) =>
        endpoint.StartsWith("POST /v1/invoices/", StringComparison.Ordinal) && endpoint.EndsWith("/send", StringComparison.Ordinal);

    private static async Task<List<string>> TopThreeAsync(HttpClient client, string key, params string[] endpoints)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict")
        {
            Content = JsonContent.Create(new { spec_url = Stripe, events = endpoints.Select(e => new { endpoint = e }), k = 3 }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
        return [.. body["predictions"]!.AsArray().Select(p => (string)p!["endpoint"]!)];
    }

    private static async Task<List<string>> VictimAsync(int minimumCallers, bool attacked)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = new ApiFactory(TestKeys.Settings(
            ("Ranking:DefaultModelDirectory", new RankingOptions().DefaultModelDirectory),
            ("Security:RateLimit:Enabled", "false"),
            ("Usage:MinimumCallers", minimumCallers.ToString(System.Globalization.CultureInfo.InvariantCulture))), time);
        using var client = factory.CreateClient();
        for (var i = 0; attacked && i < 200; i++)
        {
            await TopThreeAsync(client, TestKeys.Bob, "GET /v1/customers/cu_1", "POST /v1/invoices/in_9/send");
        }

        // Other callers' steps reach a caller when its layers are next read from the store.
        time.Advance(TimeSpan.FromMinutes(1));
        return await TopThreeAsync(client, TestKeys.Alice, "GET /v1/customers/cu_1");
    }

    [Fact]
    public async Task TwoHundredMadeUpHistoriesFromOneKeyMoveNoOtherCallersTopThree()
    {
        Assert.SkipUnless(File.Exists(Stripe), "../shared/evaldata is not on this machine");

        var clean = await VictimAsync(minimumCallers: 2, attacked: false);
        var attacked = await VictimAsync(minimumCallers: 2, attacked: true);

        Assert.DoesNotContain(clean, IsSend);
        Assert.Equal(clean, attacked);
    }

    // The same attack with the rule off: it is the rule that holds, not a ranker that ignores usage.
    [Fact]
    public async Task WithoutTheCallerRuleTheSameHistoriesPutTheirOperationFirstForEveryone()
    {
        Assert.SkipUnless(File.Exists(Stripe), "../shared/evaldata is not on this machine");

        var clean = await VictimAsync(minimumCallers: 1, attacked: false);
        var attacked = await VictimAsync(minimumCallers: 1, attacked: true);

        Assert.DoesNotContain(clean, IsSend);
        Assert.True(IsSend(attacked[0]), string.Join(", ", attacked));
    }
}
