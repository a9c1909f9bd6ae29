using System.Text.Json.Nodes;

namespace OpenSesame.Api.Tests;

/// <summary>What a client generator (openapi-typescript, in clients/typescript) needs from /openapi/v1.json.</summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private readonly ApiFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private async Task<JsonNode> DocumentAsync()
    {
        using var client = _factory.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;
    }

    private static IEnumerable<(string Route, JsonObject Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Select(op => ($"{op.Key.ToUpperInvariant()} {path.Key}", op.Value!.AsObject())));

    [Fact]
    public async Task DeclaresTheApiKeyHeaderAndBearerSchemes()
    {
        var schemes = (await DocumentAsync())["components"]!["securitySchemes"]!;

        Assert.Equal("apiKey", (string?)schemes["ApiKey"]!["type"]);
        Assert.Equal("header", (string?)schemes["ApiKey"]!["in"]);
        Assert.Equal("X-Api-Key", (string?)schemes["ApiKey"]!["name"]);
        Assert.Equal("http", (string?)schemes["Bearer"]!["type"]);
        Assert.Equal("bearer", (string?)schemes["Bearer"]!["scheme"]);
    }

    [Fact]
    public async Task EveryRouteThatNeedsARoleAsksForAKeyAndTheHealthRoutesDoNot()
    {
        var operations = Operations(await DocumentAsync()).ToList();

        foreach (var (route, operation) in operations.Where(o => !o.Route.Contains("/health/", StringComparison.Ordinal)))
        {
            var security = operation["security"]?.AsArray();
            Assert.True(security is { Count: 2 }, $"{route} declares no security requirement.");
            Assert.Contains("role `", (string?)operation["description"], StringComparison.Ordinal);
        }

        Assert.All(operations.Where(o => o.Route.Contains("/health/", StringComparison.Ordinal)),
            o => Assert.Null(o.Operation["security"]));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task DescribesTheHealthRoutesAsPlainText(string path)
    {
        var operation = (await DocumentAsync())["paths"]![path]!["get"]!;

        var healthy = operation["responses"]!["200"]!["content"]!["text/plain"]!["schema"]!;
        Assert.Equal("string", (string?)healthy["type"]);
        Assert.Contains("Healthy", healthy["enum"]!.AsArray().Select(v => (string?)v));
        Assert.NotNull(operation["responses"]!["503"]);
    }

    [Fact]
    public async Task EverySuccessThatHasABodyDescribesItsSchema()
    {
        var operations = Operations(await DocumentAsync()).ToList();

        foreach (var (route, operation) in operations)
        {
            var successes = operation["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')).ToList();
            Assert.True(successes.Count > 0, $"{route} documents no success.");
            Assert.All(successes.Where(r => r.Key != "204"), r => Assert.True(
                r.Value!["content"]?.AsObject().FirstOrDefault().Value?["schema"] is not null,
                $"{route} {r.Key} has no schema."));
        }
    }

    [Fact]
    public async Task EveryRouteThatTakesABodyDocumentsItsProblems()
    {
        var withBody = Operations(await DocumentAsync()).Where(o => o.Operation["requestBody"] is not null).ToList();

        Assert.NotEmpty(withBody);
        foreach (var (route, operation) in withBody)
        {
            foreach (var status in new[] { "400", "413", "415", "429" })
            {
                var problem = operation["responses"]![status]?["content"]?["application/problem+json"]?["schema"];
                Assert.True(problem is not null, $"{route} does not document {status} as problem details.");
            }
        }
    }

    [Fact]
    public async Task MarksTheAnswersFieldsRequiredAndExactlyNullableAndLeavesTheRequestsOptional()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;

        var response = schemas["PredictResponse"]!;
        var required = response["required"]!.AsArray().Select(v => (string?)v).ToList();
        Assert.Contains("predictions", required);
        Assert.Contains("prediction_id", required);
        Assert.Contains("metadata", required);
        Assert.DoesNotContain("injection", required);
        Assert.Null(response["properties"]!["prediction_id"]!["nullable"]);

        // A route is null when no model was routed; a bare $ref could not say so.
        var route = schemas["PredictMetadata"]!["properties"]!["route"]!;
        Assert.True((bool?)route["nullable"]);
        Assert.Equal("#/components/schemas/RouteDecision", (string?)route["allOf"]![0]!["$ref"]);

        Assert.Null(schemas["PredictRequest"]!["required"]);
        Assert.Null(schemas["SpecOperationsRequest"]!["required"]);
    }

    [Fact]
    public async Task DescribesAnInlineSpecAsAnyJsonValueAndNotAsTheClassThatHoldsItsBytes()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!.AsObject();

        foreach (var request in new[] { "PredictRequest", "SpecOperationsRequest" })
        {
            var spec = schemas[request]!["properties"]!["spec"]!.AsObject();
            Assert.False(spec.ContainsKey("$ref"), $"{request}.spec refers to {spec["$ref"]}");
            Assert.False(spec.ContainsKey("type"), $"{request}.spec is typed {spec["type"]}");
            Assert.Contains("JSON object", (string?)spec["description"], StringComparison.Ordinal);
        }

        Assert.DoesNotContain(schemas, s => s.Key.StartsWith("InlineSpec", StringComparison.Ordinal));
    }
}
