using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Tests.Security;

public sealed class AccessControlTests : IDisposable
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");
    private readonly ApiFactory _factory = new(TestKeys.Settings());

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(
        HttpMethod method, string path, string? bearer = null, string? apiKey = null)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(new { user_id = "u-1", spec_url = BillingSpec, k = 1 });
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        var response = await client.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        return (response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text) : null, response);
    }

    private Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PredictAsync(string? bearer = null, string? apiKey = null) =>
        SendAsync(HttpMethod.Post, "/predict", bearer, apiKey);

    [Fact]
    public async Task RefusesAPredictionWithoutAKeyWith401ThatSaysHowToSendOne()
    {
        var (status, body, response) = await PredictAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Authorization: Bearer <key>", (string?)body!["detail"], StringComparison.Ordinal);
        Assert.Contains("X-Api-Key", (string?)body["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusesAKeyNobodyHoldsWith401()
    {
        var (status, body, _) = await PredictAsync(bearer: "os_made-up");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("The API key is not valid.", (string?)body!["detail"]);
    }

    [Fact]
    public async Task TheHashInTheConfigurationIsNotItselfAKey()
    {
        var (status, _, _) = await PredictAsync(bearer: ApiKeys.Sha256Hex(TestKeys.Alice));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("X-Api-Key")]
    public async Task PredictsForAKeyWithThePredictRoleSentInEitherHeader(string header)
    {
        var (status, body, _) = header == "X-Api-Key" ? await PredictAsync(apiKey: TestKeys.Alice) : await PredictAsync(bearer: TestKeys.Alice);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(body!["predictions"]!.AsArray());
    }

    [Fact]
    public async Task ForbidsAKeyWithoutTheRoutesRoleWith403NamingTheRole()
    {
        var (status, body, response) = await PredictAsync(bearer: TestKeys.Carol);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The key of carol lacks the role this route needs (predict); it has feedback.", (string?)body!["detail"]);
    }

    [Fact]
    public async Task TheAdminRouteNeedsTheAdminRole()
    {
        var anonymous = await SendAsync(HttpMethod.Get, "/admin/model");
        var predictor = await SendAsync(HttpMethod.Get, "/admin/model", bearer: TestKeys.Alice);
        var admin = await SendAsync(HttpMethod.Get, "/admin/model", apiKey: TestKeys.Root);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Forbidden, predictor.Status);
        Assert.Contains("(admin)", (string?)predictor.Body!["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, admin.Status);
        Assert.Equal("heuristic-v1", (string?)admin.Body!["serving"]);
    }

    [Fact]
    public async Task AnAdminKeyMayNotPredictUnlessItAlsoHasThePredictRole()
    {
        var (status, _, _) = await PredictAsync(bearer: TestKeys.Root);

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task RefusesTwoDifferentKeysInOneRequest()
    {
        var (status, body, _) = await PredictAsync(bearer: TestKeys.Alice, apiKey: TestKeys.Bob);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("Two different API keys", (string?)body!["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    public async Task HealthAndTheApiDescriptionStayOpenWhenKeysAreConfigured(string path)
    {
        var (status, _, _) = await SendAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public void EveryRouteDeclaresWhoMayCallIt()
    {
        var endpoints = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, endpoint => Assert.True(
            endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null || endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null),
            $"{endpoint.RoutePattern.RawText} names neither a policy (.RequireAuthorization(AccessPolicy.X)) nor .AllowAnonymous()."));
    }

    [Fact]
    public void RefusesToStartWhenAKeyIsConfiguredInsteadOfItsHash()
    {
        using var factory = new ApiFactory(TestKeys.Settings(("Security:ApiKeys:1:Sha256", TestKeys.Bob)));

        var reason = factory.StartExpectingRefusal();

        Assert.Contains("Security:ApiKeys:1:Sha256 must be the 64 hex digits of the key's SHA-256, never the key itself", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesToStartWithARoleThatDoesNotExist()
    {
        using var factory = new ApiFactory(TestKeys.Settings(("Security:ApiKeys:0:Roles:1", "superuser")));

        var reason = factory.StartExpectingRefusal();

        Assert.Contains("Security:ApiKeys:0:Roles has 'superuser'", reason, StringComparison.Ordinal);
    }
}
