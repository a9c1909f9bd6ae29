using System.Net;
using System.Text.Json.Nodes;

namespace OpenSesame.Api.Tests;

public sealed class ServiceApiTests : IDisposable
{
    private readonly ApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task ReportsHealthy(string path)
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PublishesItsOwnOpenApiDocumentAndADocsPage()
    {
        using var client = _factory.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;
        using var docs = await client.GetAsync("/docs/index.html", TestContext.Current.CancellationToken);

        Assert.NotNull(document["paths"]!["/predict"]!["post"]);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentNamesFieldsAsTheRoutesWriteThem()
    {
        using var client = _factory.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;

        var schemas = document["components"]!["schemas"]!;
        Assert.NotNull(schemas["PredictRequest"]!["properties"]!["spec_url"]);
        Assert.NotNull(schemas["PredictResponse"]!["properties"]!["prediction_id"]);
        Assert.Null(schemas["PredictResponse"]!["properties"]!["predictionId"]);
    }
}
