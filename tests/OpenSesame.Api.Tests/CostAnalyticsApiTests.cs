using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Api.Tests.Security;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Api.Tests;

/// <summary><c>GET /cost-analytics</c> on a ledger seeded with known entries, every number worked out by hand.</summary>
public sealed class CostAnalyticsApiTests
{
    // 19.5 of March's 31 days have gone by.
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheRouteNeedsTheAdminRole()
    {
        using var factory = new ApiFactory(TestKeys.Settings());
        using var client = factory.CreateClient();

        using var anonymous = await client.GetAsync("/cost-analytics", Cancel);
        using var predictor = await GetAsync(client, "/cost-analytics", TestKeys.Alice);
        using var admin = await GetAsync(client, "/cost-analytics", TestKeys.Root);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, predictor.StatusCode);
        Assert.Equal("The key of alice lacks the role this route needs (admin); it has predict.",
            (string?)JsonNode.Parse(await predictor.Content.ReadAsStringAsync(Cancel))!["detail"]);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task AnswersAnonymousCallersOnLoopbackWhenNoKeysAreConfigured()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/cost-analytics", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReportsTheNumbersOfTheLedger()
    {
        using var factory = new ApiFactory(time: new FakeTimeProvider(Now));
        var ledger = factory.Services.GetRequiredService<ICostLedger>();
        CostEntry[] entries =
        [
            // Haiku: 300 × $0.25/M + 100 × $1.25/M; Sonnet: 1,000 × $3/M + 200 × $15/M.
            new(At(20, 9), "p1", "ana", "s-a", "claude-3-haiku", 300, 100, 0.0002m, false),
            new(At(20, 10), "p2", "ben", "s-b", "claude-3-sonnet", 1000, 200, 0.006m, false),
            new(At(20, 11), "p3", "ana", "s-a", "local", 0, 0, 0m, false),
            new(At(18, 8), "p4", "ana", "s-c", "claude-3-haiku", 0, 0, 0m, true),
            new(At(10, 8), "p5", "cy", "s-d", "claude-3-haiku", 600, 200, 0.0004m, false),
            new(new DateTimeOffset(2026, 2, 28, 8, 0, 0, TimeSpan.Zero), "p6", "ben", "s-e", "claude-3-sonnet", 2000, 400, 0.012m, false),
        ];
        foreach (var entry in entries)
        {
            await ledger.RecordAsync(entry, Cancel);
        }

        using var client = factory.CreateClient();
        var report = JsonNode.Parse(await client.GetStringAsync("/cost-analytics?top=2", Cancel))!;

        Assert.Equal(Now, (DateTimeOffset)report["generated_at"]!);
        // Today: p1 + p2 + p3. March: today + p4 + p5; p6 is February's.
        Assert.Equal(0.0062m, (decimal)report["today_usd"]!);
        Assert.Equal(0.0066m, (decimal)report["month_usd"]!);
        // 0.0066 × 31 / 19.5 = 0.01049230769…, rounded to the nano-dollar.
        Assert.Equal(0.010492308m, (decimal)report["projected_month_usd"]!);
        // March's five predictions cost 0, 0, 0.0002, 0.0004, 0.006: mean 0.0066 / 5; p95 is the ⌈4.75⌉ = 5th.
        Assert.Equal(5, (int)report["predictions"]!);
        Assert.Equal(1, (int)report["cache_hits"]!);
        Assert.Equal(0.00132m, (decimal)report["cost_per_prediction_mean_usd"]!);
        Assert.Equal(0.006m, (decimal)report["cost_per_prediction_p95_usd"]!);
        Assert.Equal(
            [("claude-3-sonnet", 0.006m, 1), ("claude-3-haiku", 0.0006m, 3), ("local", 0m, 1)],
            report["models"]!.AsArray().Select(m => ((string)m!["key"]!, (decimal)m["cost_usd"]!, (int)m["predictions"]!)));
        var haiku = report["models"]![1]!;
        Assert.Equal((900, 300, 1), ((long)haiku["input_tokens"]!, (long)haiku["output_tokens"]!, (int)haiku["cache_hits"]!));
        // top=2: ana (0.0002 over three predictions) spent less than cy (0.0004).
        Assert.Equal([("ben", 0.006m), ("cy", 0.0004m)],
            report["top_users"]!.AsArray().Select(u => ((string)u!["key"]!, (decimal)u["cost_usd"]!)));
        Assert.Equal(["s-b", "s-d"], report["top_sessions"]!.AsArray().Select(s => (string)s!["key"]!));
        // 19 February to 20 March, zero-filled.
        var daily = report["daily"]!.AsArray();
        Assert.Equal(30, daily.Count);
        Assert.Equal(("2026-02-19", "2026-03-20"), ((string)daily[0]!["day"]!, (string)daily[^1]!["day"]!));
        Assert.Equal((0.0062m, 3), ((decimal)daily[^1]!["cost_usd"]!, (int)daily[^1]!["predictions"]!));
        Assert.Equal((0m, 1), ((decimal)daily[^3]!["cost_usd"]!, (int)daily[^3]!["predictions"]!));
        Assert.Equal(("2026-02-28", 0.012m), ((string)daily[9]!["day"]!, (decimal)daily[9]!["cost_usd"]!));
        Assert.Equal(0.0186m, daily.Sum(d => (decimal)d!["cost_usd"]!));
        // Since 13 March 12:00: p1 to p4 = 0.0062; the seven days before: p5 = 0.0004; (0.0062 − 0.0004) / 0.0004 = +1450 %.
        var weekly = report["weekly"]!;
        Assert.Equal((0.0062m, 0.0004m, 1450.0),
            ((decimal)weekly["this_week_usd"]!, (decimal)weekly["last_week_usd"]!, (double)weekly["change_percent"]!));
    }

    [Fact]
    public async Task ListsTenUsersUnlessToldOtherwise()
    {
        using var factory = new ApiFactory(time: new FakeTimeProvider(Now));
        var ledger = factory.Services.GetRequiredService<ICostLedger>();
        for (var i = 0; i < 12; i++)
        {
            await ledger.RecordAsync(new CostEntry(At(20, 9), $"p{i}", $"user-{i}", $"s-{i}", "local", 0, 0, 0m, false), Cancel);
        }

        using var client = factory.CreateClient();
        var report = JsonNode.Parse(await client.GetStringAsync("/cost-analytics", Cancel))!;

        Assert.Equal(12, (int)report["predictions"]!);
        Assert.Equal(CostAnalytics.DefaultTop, report["top_users"]!.AsArray().Count);
        Assert.Equal(CostAnalytics.DefaultTop, report["top_sessions"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("0", "it was '0'")]
    [InlineData("101", "it was '101'")]
    [InlineData("-3", "it was '-3'")]
    [InlineData("ten", "it was 'ten'")]
    [InlineData("2.5", "it was '2.5'")]
    public async Task RefusesATopOutsideOneToAHundredWith400NamingTheField(string top, string echo)
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync($"/cost-analytics?top={top}", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var message = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!["errors"]!["top"]![0];
        Assert.StartsWith("top must be a whole number from 1 to 100", message, StringComparison.Ordinal);
        Assert.Contains(echo, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public async Task AcceptsTheEndsOfTheRange(int top)
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync($"/cost-analytics?top={top}", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheRouteAndItsSnakeCaseReport()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", Cancel))!;

        var operation = document["paths"]!["/cost-analytics"]!["get"]!;
        Assert.Equal("CostAnalytics", (string?)operation["operationId"]);
        var top = operation["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "top")!["schema"]!;
        Assert.Equal(("integer", 1, 100, 10), ((string?)top["type"], (int)top["minimum"]!, (int)top["maximum"]!, (int)top["default"]!));
        Assert.NotNull(operation["responses"]!["400"]);
        Assert.NotNull(operation["responses"]!["403"]);
        var report = document["components"]!["schemas"]!["CostReport"]!["properties"]!.AsObject();
        Assert.Contains("cost_per_prediction_p95_usd", report.Select(p => p.Key));
        Assert.Contains("top_sessions", report.Select(p => p.Key));
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await client.SendAsync(request, Cancel);
    }

    private static DateTimeOffset At(int day, int hour) => new(2026, 3, day, hour, 0, 0, TimeSpan.Zero);
}
