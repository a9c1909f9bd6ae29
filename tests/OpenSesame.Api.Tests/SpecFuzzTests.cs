using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenSesame.Testing;

namespace OpenSesame.Api.Tests;

/// <summary>
/// Spec-shaped fuzzing through the real HTTP pipeline: reference chains and circles, huge arrays, deep nesting, odd
/// encodings, YAML alias bombs, mutated documents, and downloads that redirect to other schemes, loop, or point into
/// private networks. Whatever the spec, the answer is 2xx or 4xx and nothing is logged as an error. Seeded and bounded
/// in count; the only socket is a loopback server on 127.0.0.1 that this test starts.
/// </summary>
public sealed class SpecFuzzTests
{
    private const int Requests = 400;
    private const int Seed = 20261206;

    private static readonly string Billing = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml"));

    private static readonly string[] RedirectTargets =
    [
        "file:///etc/passwd", "ftp://127.0.0.1/spec.yaml", "gopher://127.0.0.1:70/_x", "data:text/plain,openapi: 3.0.0",
        "javascript:alert(1)", "http://10.0.0.1/spec.yaml", "http://169.254.169.254/latest/meta-data", "http://[::1]:1/",
        "/redirect/loop", "../ok", "//127.0.0.1:1/x", "http://", "file:/etc/passwd", "\\\\server\\share\\spec.yaml",
    ];

    [Fact]
    public async Task HostileSpecsGetNoServerErrorAndLogNoError()
    {
        var random = new Random(Seed);
        using var server = new LoopbackHttpServer(request => Task.FromResult(Serve(request.Url!.AbsolutePath, random)));
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Prediction:SemanticRetrieval"] = "false",
            ["Security:RateLimit:PermitLimit"] = "1000000",
            ["Specs:AllowedHosts:0"] = "127.0.0.1",
        });
        using var client = factory.CreateClient();
        var statuses = new Dictionary<HttpStatusCode, int>();
        IEnumerable<string> Errors() => factory.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message} {e.Exception}");

        for (var i = 0; i < Requests; i++)
        {
            var (kind, body) = Body(random, server);
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/predict", content, TestContext.Current.CancellationToken);
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            Assert.True((int)response.StatusCode < 500,
                $"request {i} ({kind}, seed {Seed}) got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}; logged: {string.Join(" | ", Errors())}");
        }

        Assert.Empty(Errors());
        FuzzSummary.Write(nameof(SpecFuzzTests), $"spec fuzz: {Requests} requests (seed {Seed}), 0 with 5xx, 0 errors logged; statuses: "
            + FuzzTests.Tally(statuses));
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.OK) > Requests / 20, "too few specs were usable to exercise the pipeline");
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.UnprocessableEntity) > Requests / 5, "too few specs were refused to exercise the limits");
    }

    private static (int Status, string Body) Serve(string path, Random random) => path switch
    {
        "/ok" => (200, Billing),
        "/redirect/loop" => (302, "/redirect/loop"),
        _ when path.StartsWith("/redirect/", StringComparison.Ordinal) => (302, RedirectTargets[int.Parse(path["/redirect/".Length..], System.Globalization.CultureInfo.InvariantCulture)]),
        "/hostile" => (200, HostileSpecs.ReferenceChain(random.Next(10, 200), used: true)),
        _ => (404, "not found"),
    };

    private static (string Kind, string Body) Body(Random random, LoopbackHttpServer server)
    {
        var kind = random.Next(12);
        JsonNode? spec = kind switch
        {
            0 => Json(HostileSpecs.ReferenceChain(random.Next(1, 15_000), used: random.Next(2) == 0)),
            1 => Json(HostileSpecs.Circle(Pick(random, ["schemas", "parameters", "responses", "requestBodies", "headers"]), random.Next(1, 6))),
            2 => Json(HostileSpecs.Operations(random.Next(1, 300))),
            3 => HugeArray(random),
            4 => Deep(random),
            5 => JsonValue.Create(OddText(random)),
            6 => JsonValue.Create(AliasBomb(random)),
            7 => Mutate(random, Json(HostileSpecs.Operations(random.Next(1, 5)))!),
            8 => JsonValue.Create(Billing),
            _ => null,
        };
        var body = new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject { ["endpoint"] = "GET /v1/invoices" }),
            ["prompt"] = "finish billing",
        };
        if (spec is null)
        {
            body["spec_url"] = kind switch
            {
                9 => server.Url($"/redirect/{random.Next(RedirectTargets.Length)}"),
                10 => server.Url("/hostile"),
                _ => server.Url("/ok"),
            };
        }
        else
        {
            body["spec"] = spec;
        }

        return ($"kind {kind}", body.ToJsonString());
    }

    private static JsonNode? Json(string text) => JsonNode.Parse(text);

    // Up to 100,000 items where the parser keeps them (tags, enum values, servers).
    private static JsonObject HugeArray(Random random)
    {
        var spec = Json(HostileSpecs.Operations(2))!.AsObject();
        var count = random.Next(1_000, 100_000);
        var items = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)JsonValue.Create($"v{i}"))]);
        switch (random.Next(3))
        {
            case 0:
                spec["paths"]!["/r0"]!["get"]!["tags"] = items;
                break;
            case 1:
                spec["paths"]!["/r0"]!["get"]!["parameters"] = new JsonArray(new JsonObject
                {
                    ["name"] = "status",
                    ["in"] = "query",
                    ["schema"] = new JsonObject { ["type"] = "string", ["enum"] = items },
                });
                break;
            default:
                spec["servers"] = new JsonArray([.. Enumerable.Range(0, count / 10).Select(i => (JsonNode)new JsonObject { ["url"] = $"/v{i}" })]);
                break;
        }

        return spec;
    }

    // Nested schemas, past the request's own JSON depth limit half of the time; as YAML text, past the parser's.
    private static JsonNode Deep(Random random)
    {
        var depth = random.Next(1, 120);
        if (random.Next(2) == 0)
        {
            return JsonValue.Create("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\nx-deep: "
                                    + new string('[', depth * 100) + new string(']', depth * 100) + "\n");
        }

        JsonNode schema = new JsonObject { ["type"] = "string" };
        for (var i = 0; i < depth; i++)
        {
            schema = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { [$"p{i}"] = schema } };
        }

        var spec = Json(HostileSpecs.Operations(1))!.AsObject();
        spec["paths"]!["/r0"]!["get"]!["responses"]!["200"]!["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } };
        return spec;
    }

    private static string OddText(Random random) => random.Next(8) switch
    {
        0 => "\uFEFF" + Billing,
        1 => Billing.Replace("  ", "\t", StringComparison.Ordinal),
        2 => Billing.Replace("openapi", "ｏｐｅｎａｐｉ", StringComparison.Ordinal),
        3 => Billing[..random.Next(Billing.Length)],
        4 => Billing.Insert(random.Next(Billing.Length), "\u0000\u202E\uFFFF"),
        5 => "openapi: 3.0.0\ninfo: {title: \"\u00e9\u6f22\ud83d\ude00\", version: '1'}\npaths:\n  /\u00fc/{\u00e9}:\n    get:\n      parameters: [{name: \u00e9, in: path, required: true}]\n      responses: {'200': {description: ok}}\n",
        6 => "openapi: 3.0.0\r\ninfo: {title: t, version: '1'}\r\npaths:\r\n  /a:\r\n    get:\r\n      responses: {'200': {description: ok}}\r\n",
        _ => "{\"openapi\": 3, \"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": [1, 2]}}}}}}",
    };

    // Each level refers to the one before ten times: 10^levels nodes once expanded ("billion laughs").
    private static string AliasBomb(Random random)
    {
        var yaml = new StringBuilder("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\nx-bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < random.Next(2, 10); i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        return yaml.ToString();
    }

    private static JsonNode Mutate(Random random, JsonNode spec)
    {
        var paths = new[] { "openapi", "info", "paths", "components", "servers", "security", "tags", "x-extra" };
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            JsonNode? value = random.Next(7) switch
            {
                0 => null,
                1 => JsonValue.Create(random.Next()),
                2 => JsonValue.Create(""),
                3 => new JsonArray(JsonValue.Create(1), null, new JsonObject()),
                4 => new JsonObject { ["$ref"] = Pick(random, ["#/", "#/components/schemas/Missing", "http://127.0.0.1:1/x.json", "#/paths", "file:///etc/passwd"]) },
                5 => JsonValue.Create(new string('z', random.Next(1, 100_000))),
                _ => new JsonObject { ["/{a}/{a}/{"] = new JsonObject { ["get"] = new JsonObject { ["parameters"] = new JsonArray(new JsonObject { ["$ref"] = "#/paths" }) } } },
            };
            spec[Pick(random, paths)] = value;
        }

        return spec;
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
