using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenSesame.Api.Tests;

public sealed class PredictApiTests : IDisposable
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");
    private readonly ApiFactory _factory = new();
    private readonly HttpClient _client;

    public PredictApiTests() => _client = _factory.CreateClient();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(object body)
    {
        using var response = await _client.PostAsJsonAsync("/predict", body, Cancel);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, string? ContentType)> PostRawAsync(string json, string contentType = "application/json")
    {
        using var content = new StringContent(json, Encoding.UTF8, contentType);
        using var response = await _client.PostAsync("/predict", content, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response.Content.Headers.ContentType?.MediaType);
    }

    private static object FinishBilling(string specUrl, int? k = 5) => new
    {
        user_id = "u-42",
        events = new object[]
        {
            new { ts = "2025-07-08T14:12:03Z", endpoint = "GET /v1/invoices", @params = new { } },
            new { ts = "2025-07-08T14:13:11Z", endpoint = "PUT /v1/invoices/in_123/status", @params = new { status = "DRAFT" } },
        },
        prompt = "Let's finish billing for Q2",
        spec_url = specUrl,
        k,
    };

    [Fact]
    public async Task AnswersTheCanonicalRequestWithDistinctValidRankedPredictions()
    {
        var (status, body) = await PostAsync(FinishBilling(BillingSpec));

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = body["predictions"]!.AsArray();
        Assert.Equal(5, predictions.Count);
        var endpoints = predictions.Select(p => (string)p!["endpoint"]!).ToList();
        Assert.Equal(5, endpoints.Distinct().Count());
        var scores = predictions.Select(p => (double)p!["score"]!).ToList();
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.All(predictions, p => Assert.False(string.IsNullOrWhiteSpace((string?)p!["why"])));
        Assert.DoesNotContain(endpoints, e => e.StartsWith("DELETE", StringComparison.Ordinal));
        Assert.Contains(predictions, p => (string)p!["endpoint"]! == "POST /v1/invoices/{invoice}/finalize"
                                          && (string?)p["params"]!["invoice"] == "in_123");
        Assert.False(string.IsNullOrEmpty((string?)body["prediction_id"]));
        Assert.Equal("local", (string?)predictions[0]!["source"]);
        Assert.NotNull(body["model_version"]);
        Assert.NotNull(body["processing_time_ms"]);
        Assert.Equal(0, (double)body["cost_usd"]!);
    }

    [Fact]
    public async Task ServesTheSecondRequestForASpecFromCache()
    {
        var first = await PostAsync(FinishBilling(BillingSpec));
        var second = await PostAsync(FinishBilling(BillingSpec));

        Assert.False((bool)first.Body["cached"]!);
        Assert.True((bool)second.Body["cached"]!);
    }

    [Fact]
    public async Task AcceptsTheSpecInlineAsAJsonObjectOrAsYamlText()
    {
        var yaml = await File.ReadAllTextAsync(BillingSpec, Cancel);
        var asJson = JsonSerializer.Serialize(new
        {
            openapi = "3.0.0",
            info = new { title = "t", version = "1" },
            paths = new Dictionary<string, object>
            {
                ["/tickets"] = new { get = new { summary = "List tickets", responses = new Dictionary<string, object> { ["200"] = new { description = "ok" } } } },
                ["/tickets/{id}/close"] = new
                {
                    post = new
                    {
                        summary = "Close a ticket",
                        parameters = new[] { new { name = "id", @in = "path", required = true } },
                        responses = new Dictionary<string, object> { ["200"] = new { description = "ok" } },
                    },
                },
            },
        });

        var objectReply = await PostRawAsync($$"""{ "spec": {{asJson}}, "events": [ { "endpoint": "GET /tickets/T-9" } ], "k": 2 }""");
        var textReply = await PostAsync(new { spec = yaml, prompt = "refund a payment", k = 1 });

        Assert.Equal(HttpStatusCode.OK, objectReply.Status);
        Assert.Equal(2, objectReply.Body!["predictions"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, textReply.Status);
        Assert.Equal("POST /v1/payments/{payment}/refund", (string?)textReply.Body["predictions"]![0]!["endpoint"]);
    }

    [Fact]
    public async Task SaysHowThePredictionWasRoutedAndRefusesANegativeMaxCost()
    {
        var (status, body) = await PostAsync(new { spec_url = BillingSpec, prompt = "take a payment", k = 3, max_cost_usd = 0.001 });
        var refused = await PostAsync(new { spec_url = BillingSpec, k = 3, max_cost_usd = -1 });

        Assert.Equal(HttpStatusCode.OK, status);
        // No provider key in the tests: the local generator serves, at no cost, and the route says why.
        var route = body["metadata"]!["route"]!;
        Assert.Equal(("local", "no_provider", 0m), ((string?)route["model"], (string?)route["reason"], (decimal)route["actual_cost_usd"]!));
        Assert.False((bool)body["metadata"]!["cache_hit"]!);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.NotNull(refused.Body["errors"]!["max_cost_usd"]);
    }

    [Fact]
    public async Task StartsColdWithTheSpecsEntryPoints()
    {
        var (status, body) = await PostAsync(new { spec_url = BillingSpec, k = 3 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.All(body["predictions"]!.AsArray(), p => Assert.StartsWith("GET ", (string)p!["endpoint"]!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SuggestsDestructiveCallsOnlyWhenThePromptAsksForRemovalAndMarksThem()
    {
        var events = new[] { new { endpoint = "GET /v1/invoices/in_5" } };

        var (_, plain) = await PostAsync(new { spec_url = BillingSpec, events, k = 20 });
        var (_, asked) = await PostAsync(new { spec_url = BillingSpec, events, prompt = "delete this draft invoice", k = 5 });

        Assert.All(plain["predictions"]!.AsArray(), p => Assert.False((bool)p!["destructive"]!));
        var delete = Assert.Single(asked["predictions"]!.AsArray(), p => (string)p!["endpoint"]! == "DELETE /v1/invoices/{invoice}");
        Assert.True((bool)delete!["destructive"]!);
        Assert.Equal("in_5", (string?)delete["params"]!["invoice"]);
    }

    public static TheoryData<string, string> BadRequests() => new()
    {
        { "{ not json }", "body" },
        { "{ \"spec_url\": \"samples/specs/billing.yaml\", \"k\": ", "k" },
        { "{ \"spec_url\": \"samples/specs/billing.yaml\", \"k\": 0 }", "k" },
        { "{ \"spec_url\": \"samples/specs/billing.yaml\", \"k\": 500 }", "k" },
        { "{ \"spec_url\": \"samples/specs/billing.yaml\", \"k\": \"five\" }", "k" },
        { "{ \"spec_url\": \"samples/specs/billing.yaml\", \"events\": [ { \"params\": {} } ] }", "events[0].endpoint" },
        { "{ \"spec_url\": \"samples/specs/billing.yaml\", \"events\": [ { \"endpoint\": \"GET /a\", \"ts\": \"yesterday\" } ] }", "events[0].ts" },
        { "{ \"events\": [] }", "spec_url" },
        { "[1, 2, 3]", "body" },
        { "null", "body" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task AnswersBadInputWithProblemDetailsNamingTheField(string json, string field)
    {
        var (status, body, contentType) = await PostRawAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.NotNull(body!["errors"]![field]);
    }

    [Fact]
    public async Task RefusesATenMegabytePromptAsBadInput()
    {
        var (status, body) = await PostAsync(new { spec_url = BillingSpec, prompt = new string('x', 10 * 1024 * 1024) });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(body["errors"]!["prompt"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/spec.json", "blocked")]
    [InlineData("http://[::1]:9/spec.json", "blocked")]
    [InlineData("samples/../README.md", "outside the folders this service reads specs from")]
    [InlineData("samples/specs/missing.yaml", "does not exist")]
    public async Task AnswersAnUnusableSpecWith422AndTheReason(string specUrl, string reason)
    {
        var (status, body) = await PostAsync(new { spec_url = specUrl });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains(reason, (string?)body["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswersAnInlineDocumentThatIsNotASpecWith422()
    {
        var (status, body) = await PostAsync(new { spec = new { hello = "world" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("not an OpenAPI", (string?)body["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesBodiesThatAreNotJson()
    {
        var (status, _, contentType) = await PostRawAsync("k=5", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("application/problem+json", contentType);
    }

    [Fact]
    public async Task AnswersOnTheRealStripeAndGitHubSpecs()
    {
        var stripe = Path.Combine(ApiFactory.EvalData, "specs/stripe-openapi/openapi/spec3.yaml");
        var github = Path.Combine(ApiFactory.EvalData, "specs/apis-guru/APIs/github.com/api.github.com/1.1.4/openapi.yaml");
        Assert.SkipUnless(File.Exists(stripe) && File.Exists(github), "../shared/evaldata is not on this machine");

        var (stripeStatus, stripeBody) = await PostAsync(FinishBilling(stripe));
        var (githubStatus, githubBody) = await PostAsync(new
        {
            spec_url = github,
            events = new[] { new { endpoint = "GET /repos/octo/hello/pulls/42" } },
            prompt = "review and merge the pull request",
        });

        Assert.Equal(HttpStatusCode.OK, stripeStatus);
        Assert.Contains(stripeBody["predictions"]!.AsArray(), p =>
            (string)p!["endpoint"]! is "POST /v1/invoices/{invoice}/finalize" or "POST /v1/invoices/{invoice}/pay" or "POST /v1/invoices/{invoice}/send"
            && (string?)p["params"]!["invoice"] == "in_123");
        Assert.Equal(HttpStatusCode.OK, githubStatus);
        Assert.Contains(githubBody["predictions"]!.AsArray(), p => ((string)p!["endpoint"]!).StartsWith("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", StringComparison.Ordinal)
                                                                      || ((string)p["endpoint"]!).Contains("/reviews", StringComparison.Ordinal));
    }
}
