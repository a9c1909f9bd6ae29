using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenSesame.Api.Tests.Security;

namespace OpenSesame.Api.Tests;

/// <summary><c>/admin/usage</c>: what the service learned of its specs' usage, and forgetting it.</summary>
public sealed class UsageApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task PredictAsync(HttpClient client, params string[] endpoints) => AdminCalls.PredictAsync(client, null, endpoints);

    private static Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path) =>
        AdminCalls.SendAsync(client, method, path);

    [Fact]
    public async Task ListsTheLearnedStepsOfASpecAndForgetsThemOnRequest()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        await PredictAsync(client, "GET /v1/invoices");
        await PredictAsync(client, "GET /v1/invoices", "GET /v1/invoices/in_1");

        var (_, list) = await SendAsync(client, HttpMethod.Get, "/admin/usage");
        var spec = Assert.Single(list!["specs"]!.AsArray())!;
        var hash = (string)spec["spec_hash"]!;
        Assert.Equal((2, 2), ((int)spec["steps"]!, (int)spec["pairs"]!));

        var (status, detail) = await SendAsync(client, HttpMethod.Get, $"/admin/usage/{hash}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""[{"from":null,"to":"GET /v1/invoices","count":1},{"from":"GET /v1/invoices","to":"GET /v1/invoices/{invoice}","count":1}]""",
            detail!["steps"]!.ToJsonString());
        // Both steps were this test's anonymous client's; the test server gives it no address.
        Assert.Equal("""[{"caller":"local","steps":2,"share":1}]""", detail["contributors"]!.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(client, HttpMethod.Delete, $"/admin/usage/{hash}")).Status);
        var (again, problem) = await SendAsync(client, HttpMethod.Delete, $"/admin/usage/{hash}");
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.Contains("GET /admin/usage lists the specs with usage", (string)problem!["detail"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(client, HttpMethod.Get, $"/admin/usage/{hash}")).Status);
        Assert.Empty((await SendAsync(client, HttpMethod.Get, "/admin/usage")).Body!["specs"]!.AsArray());
    }

    [Fact]
    public async Task OnlyAdministratorsMayReadOrForgetUsage()
    {
        using var factory = new ApiFactory(TestKeys.Settings());
        using var client = factory.CreateClient();

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/admin/usage"), (HttpMethod.Delete, "/admin/usage/abc") })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.Alice);
            using var response = await client.SendAsync(request, Cancel);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }
}
