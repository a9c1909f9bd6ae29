using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OpenSesame.Api.Tests.Security;

namespace OpenSesame.Api.Tests;

/// <summary><c>/admin/drift</c> and the variants in <c>/admin/model</c>: online quality measured from the outcome log.</summary>
public sealed class DriftApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(HttpClient client, string path) =>
        AdminCalls.SendAsync(client, HttpMethod.Get, path);

    [Fact]
    public async Task TheOutcomesOfASessionAreMeasuredPerVariantWhenAskedAndNotBeforeTheFirstRound()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        // The second request's history continues the first's: the first prediction's implicit outcome.
        await AdminCalls.PredictAsync(client, "s-1", "GET /v1/invoices");
        await AdminCalls.PredictAsync(client, "s-1", "GET /v1/invoices", "GET /v1/invoices/in_1");

        var (before, problem) = await GetAsync(client, "/admin/drift");
        Assert.Equal(HttpStatusCode.NotFound, before);
        Assert.Contains("refresh=true", (string)problem!["detail"]!, StringComparison.Ordinal);

        var (status, report) = await GetAsync(client, "/admin/drift?refresh=true");
        Assert.Equal(HttpStatusCode.OK, status);
        var variant = Assert.Single(report!["variants"]!.AsArray())!;
        Assert.Equal(1, (int)variant["recent"]!["outcomes"]!);
        var (_, model) = await GetAsync(client, "/admin/model");
        Assert.Equal((string)variant["model_version"]!, (string)model!["variants"]![0]!["model_version"]!);
        Assert.Null(model["challenger"]);
    }

    [Fact]
    public async Task OnlyAdministratorsMayReadDrift()
    {
        using var factory = new ApiFactory(TestKeys.Settings());
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/drift");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.Alice);

        using var response = await client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
