using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSesame.Testing;

namespace OpenSesame.Api.Tests;

/// <summary>The hostile tester's repros (issue 18), through the real HTTP pipeline: each is answered with a 4xx
/// that names what was refused, and none leaves an error or a stack trace in the log.</summary>
public sealed class HostileInputApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("the issue's chain of 20,000 schema references", "Specs:MaxReferences")]
    [InlineData("a chain of 5,000 references the operation uses", "Specs:MaxReferenceDepth")]
    [InlineData("parameters referring to each other in a circle", "circle")]
    public async Task AReferenceChainOrCircleIsRefusedWith422NamingWhy(string repro, string reason)
    {
        using var factory = new ApiFactory();
        var spec = repro switch
        {
            "the issue's chain of 20,000 schema references" => HostileSpecs.ReferenceChain(20_000),
            "a chain of 5,000 references the operation uses" => HostileSpecs.ReferenceChain(5_000, used: true),
            _ => HostileSpecs.Circle("parameters"),
        };

        var (status, body) = await PredictInlineAsync(factory, spec);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains(reason, (string)body["detail"]!, StringComparison.Ordinal);
        AssertNoErrorOrStackTrace(factory);
    }

    [Theory]
    [InlineData("Specs:MaxOperations", "100", 101)]
    [InlineData("Specs:ParseBudget", "00:00:00.0000001", 2_000)]
    public async Task ASpecPastALimitIsRefusedWith422NamingItsSetting(string setting, string value, int operations)
    {
        // A budget of a tenth of a microsecond has passed by the time the document is read, however fast the machine.
        using var factory = new ApiFactory(new Dictionary<string, string?> { [setting] = value });

        var (status, body) = await PredictInlineAsync(factory, HostileSpecs.Operations(operations));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains(setting, (string)body["detail"]!, StringComparison.Ordinal);
        AssertNoErrorOrStackTrace(factory);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://127.0.0.1/spec.yaml")]
    [InlineData("gopher://127.0.0.1:70/_x")]
    public async Task ASpecDownloadRedirectedToAnotherSchemeIsRefusedWith422WithoutAStackTrace(string target)
    {
        using var server = new LoopbackHttpServer(_ => Task.FromResult((302, target)));
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Specs:AllowedHosts:0"] = "127.0.0.1" });

        var (status, body) = await PostAsync(factory, new JsonObject { ["events"] = new JsonArray(), ["spec_url"] = server.Url("/spec.yaml") }.ToJsonString());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.True(((string)body["detail"]!).Contains("redirect", StringComparison.OrdinalIgnoreCase), (string)body["detail"]!);
        AssertNoErrorOrStackTrace(factory);
    }

    [Fact]
    public async Task ABodyOverThirtyMegabytesIsAnswered413NamingTheLimit()
    {
        // Kestrel, not the in-memory server: Kestrel's own body limit is what answered 500 (first read by the rate limiter).
        using var factory = new ApiFactory();

        var (status, body) = await PostOverKestrelAsync(factory, $$"""{"events":[],"prompt":"{{new string('x', 31 * 1024 * 1024)}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("Requests:MaxBodyBytes", (string)body["detail"]!, StringComparison.Ordinal);
        AssertNoErrorOrStackTrace(factory);
    }

    [Fact]
    public async Task APromptOfTwentySixMegabytesIsRefusedWhileItStreamsAndTheRestOfTheBodyIsStillRead()
    {
        // Kestrel: the refusal comes before the body is read, and the client must still get it whole, not a reset.
        using var factory = new ApiFactory();
        var events = string.Join(",", Enumerable.Repeat("""{"endpoint":"GET /v1/invoices"}""", 300));

        var (status, body) = await PostOverKestrelAsync(factory,
            $$"""{"prompt":"{{new string('x', 26_000_000)}}","events":[{{events}}],"spec_url":"samples/specs/billing.yaml"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The request has invalid fields.", (string)body["title"]!);
        Assert.Equal("The prompt is 26000000 characters long; at most 4000 are accepted (Prediction:MaxPromptLength).",
            (string)body["errors"]!["prompt"]![0]!);
        // Counted after the refusal, from the part of the body read only to be discarded.
        Assert.Contains("300 were sent", (string)body["errors"]!["events"]![0]!, StringComparison.Ordinal);
        AssertNoErrorOrStackTrace(factory);
    }

    [Fact]
    public async Task AChunkedBodyIsRefusedWith413OnceItPassesTheLimit()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Requests:MaxBodyBytes"] = "100000" });
        using var client = factory.CreateClient();
        var json = Encoding.UTF8.GetBytes($$"""{"events":[],"prompt":"{{new string('x', 200_000)}}","spec_url":"samples/specs/billing.yaml"}""");
        using var content = new StreamContent(new ChunkedOnly(json));
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync("/predict", content, Cancel);

        Assert.Null(content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("/predict", """{"user_id":"victim","user_id":"attacker","events":[],"spec_url":"samples/specs/billing.yaml"}""", "user_id")]
    [InlineData("/predict", """{"user_id":"victim","USER_ID":"attacker","events":[],"spec_url":"samples/specs/billing.yaml"}""", "USER_ID")]
    [InlineData("/predict", """{"events":[{"endpoint":"GET /v1/invoices","params":{"id":"a","id":"b"}}],"spec_url":"samples/specs/billing.yaml"}""", "events[0].params.id")]
    [InlineData("/predict", """{"events":[],"spec":{"openapi":"3.0.0","openapi":"3.1.0","paths":{}}}""", "spec")]
    [InlineData("/feedback", """{"prediction_id":"p","prediction_id":"q","outcome":"ignored"}""", "prediction_id")]
    public async Task APropertyNamedTwiceAtAnyDepthIsRefusedWith400NamingIt(string route, string json, string field)
    {
        using var factory = new ApiFactory();

        var (status, body) = await PostAsync(factory, json, route);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body["errors"]!.AsObject();
        Assert.True(errors.Any(e => e.Key == field && ((string)e.Value![0]!).Contains("twice", StringComparison.Ordinal)), body.ToJsonString());
    }

    [Fact]
    public async Task ABodyNamingUserIdTwiceDoesNotSpendEitherUsersRateLimit()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Security:RateLimit:PermitLimit"] = "1" });
        var spec = new JsonObject { ["spec_url"] = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml") }.ToJsonString()[1..^1];

        var (split, _) = await PostAsync(factory, $$"""{"user_id":"victim","user_id":"attacker","events":[],{{spec}}}""");
        var (victim, _) = await PostAsync(factory, $$"""{"user_id":"victim","events":[],{{spec}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, split);
        Assert.Equal(HttpStatusCode.OK, victim);
    }

    [Theory]
    [InlineData("user_id")]
    [InlineData("prompt")]
    [InlineData("spec")]
    public async Task ALoneSurrogateIsReportedAsInvalidTextNotAsAWrongType(string field)
    {
        using var factory = new ApiFactory();

        var (status, body) = await PostAsync(factory, $$"""{"{{field}}":"a\ud800b","events":[],"spec_url":"samples/specs/billing.yaml"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not valid Unicode", (string)body["errors"]![field]![0]!, StringComparison.Ordinal);
        AssertNoErrorOrStackTrace(factory);
    }

    [Fact]
    public async Task AnEndpointLongerThanTheLimitIsRefusedWith400NamingIt()
    {
        using var factory = new ApiFactory();
        var endpoint = "GET /v1/invoices/" + new string('a', 200_000);

        var (status, body) = await PostAsync(factory, $$"""{"events":[{"endpoint":"{{endpoint}}"}],"spec_url":"samples/specs/billing.yaml"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Prediction:MaxEndpointLength", (string)body["errors"]!["events[0].endpoint"]![0]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASpecFileOutsideTheFoldersIsRefusedWithoutNamingTheServersPaths()
    {
        using var factory = new ApiFactory();

        var (status, body) = await PostAsync(factory, """{"events":[],"spec_url":"/etc/passwd"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.DoesNotContain(ApiFactory.RepoRoot, (string)body["detail"]!, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiFactory.EvalData, (string)body["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARateLimitedRequestIsAnsweredWithProblemDetailsThatHaveAType()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Security:RateLimit:PermitLimit"] = "1" });

        await PostAsync(factory, """{"user_id":"u-1","events":[]}""");
        var (status, body) = await PostAsync(factory, """{"user_id":"u-1","events":[]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", (string)body["type"]!);
    }

    internal static Task<(HttpStatusCode Status, JsonNode Body)> PredictInlineAsync(ApiFactory factory, string spec) =>
        PostAsync(factory, $$"""{"events":[],"spec":{{spec}}}""");

    internal static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(ApiFactory factory, string json, string route = "/predict")
    {
        using var client = factory.CreateClient();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(route, content, Cancel);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!);
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostOverKestrelAsync(ApiFactory factory, string json)
    {
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        // HttpClient waits 1 s for the go-ahead by default; a loaded machine answers later, the client then starts
        // sending the body, and a refusal arrives as a broken pipe instead of an answer.
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(address) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };

        // As curl does for large bodies: the client waits for the server's go-ahead, so it reads the refusal instead of
        // failing to send a body the server will not read.
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request, Cancel);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!);
    }

    private static void AssertNoErrorOrStackTrace(ApiFactory factory) =>
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error || e.Exception is not null);

    /// <summary>A body whose length the client does not know in advance: sent chunked, without a Content-Length.</summary>
    private sealed class ChunkedOnly(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
