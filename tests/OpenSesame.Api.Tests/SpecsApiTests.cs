using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenSesame.Api.Tests.Security;

namespace OpenSesame.Api.Tests;

public sealed class SpecsApiTests : IDisposable
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");
    private readonly ApiFactory _factory = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ListsTheSampleSpecsWithASpecUrlThatPredictAccepts()
    {
        using var client = _factory.CreateClient();

        var samples = (await client.GetFromJsonAsync<JsonNode>("/specs/samples", Cancel))!["specs"]!.AsArray();
        var billing = samples.Single(s => (string?)s!["name"] == "specs/billing.yaml")!;
        using var predicted = await client.PostAsJsonAsync("/predict", new { spec_url = (string?)billing["spec_url"], k = 3 }, Cancel);

        Assert.DoesNotContain(samples, s => ((string?)s!["name"])!.StartsWith("requests/", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
    }

    [Fact]
    public async Task ListsTheOperationsOfASpecAsPredictionsNameThem()
    {
        using var client = _factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/specs/operations", new { spec_url = BillingSpec }, Cancel);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>(Cancel))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Acme Billing (sample)", (string?)body["title"]);
        var finalize = body["operations"]!.AsArray().Single(o => (string?)o!["endpoint"] == "POST /v1/invoices/{invoice}/finalize")!;
        Assert.Equal("action", (string?)finalize["kind"]);
        Assert.Contains(finalize["parameters"]!.AsArray(), p => (string?)p!["name"] == "invoice" && (string?)p["in"] == "path");
        Assert.Contains(body["operations"]!.AsArray(), o => (bool?)o!["destructive"] == true);
    }

    [Fact]
    public async Task TakesAnInlineSpecAsPredictDoes()
    {
        using var client = _factory.CreateClient();
        var yaml = await File.ReadAllTextAsync(BillingSpec, Cancel);

        using var response = await client.PostAsJsonAsync("/specs/operations", new { spec = yaml }, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnswersASpecThatIsNotOpenApiWith422ProblemDetails()
    {
        using var client = _factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/specs/operations", new { spec = "just: some yaml" }, Cancel);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>(Cancel))!;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty((string?)body["detail"]));
    }

    [Fact]
    public async Task AnswersNeitherOrBothSpecsWith400NamingTheField()
    {
        using var client = _factory.CreateClient();

        using var neither = await client.PostAsJsonAsync("/specs/operations", new { }, Cancel);
        using var both = await client.PostAsJsonAsync("/specs/operations", new { spec_url = BillingSpec, spec = "openapi: 3.0.0" }, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, neither.StatusCode);
        Assert.NotNull((await neither.Content.ReadFromJsonAsync<JsonNode>(Cancel))!["errors"]!["spec_url"]);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.NotNull((await both.Content.ReadFromJsonAsync<JsonNode>(Cancel))!["errors"]!["spec"]);
    }

    [Fact]
    public async Task NeedsThePredictRoleWhenKeysAreConfigured()
    {
        using var factory = new ApiFactory(TestKeys.Settings());
        using var client = factory.CreateClient();

        using var anonymous = await client.GetAsync("/specs/samples", Cancel);
        using var feedbackOnly = new HttpRequestMessage(HttpMethod.Get, "/specs/samples") { Headers = { { "X-Api-Key", TestKeys.Carol } } };
        using var refused = await client.SendAsync(feedbackOnly, Cancel);
        using var predictor = new HttpRequestMessage(HttpMethod.Get, "/specs/samples") { Headers = { { "X-Api-Key", TestKeys.Alice } } };
        using var allowed = await client.SendAsync(predictor, Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }
}
