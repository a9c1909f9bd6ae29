using System.Net;
using System.Text.Json.Nodes;
using OpenSesame.Api.Tests.Security;

namespace OpenSesame.Api.Tests;

/// <summary><c>GET /admin/budget</c>: the budgets the dashboard draws its lines at, as configured.</summary>
public sealed class BudgetApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheRouteNeedsTheAdminRole()
    {
        using var factory = new ApiFactory(TestKeys.Settings());
        using var client = factory.CreateClient();

        using var anonymous = await client.GetAsync("/admin/budget", Cancel);
        using var predictor = await GetAsync(client, TestKeys.Alice);
        using var admin = await GetAsync(client, TestKeys.Root);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, predictor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task ReportsTheDefaultsWithNoDailyBudget()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();

        var budget = JsonNode.Parse(await client.GetStringAsync("/admin/budget", Cancel))!;

        Assert.Equal(100m, (decimal)budget["monthly_budget_usd"]!);
        Assert.Null(budget["daily_budget_usd"]);
        Assert.Equal([75d, 90d, 100d], budget["alert_percents"]!.AsArray().Select(p => (double)p!));
        Assert.Equal(75d, (double)budget["degrade_percent"]!);
        Assert.Equal(100d, (double)budget["local_only_percent"]!);
    }

    [Fact]
    public async Task ReportsTheConfiguredBudgetsAndLevels()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Routing:MonthlyBudgetUsd"] = "40",
            ["Routing:DailyBudgetUsd"] = "1.5",
            ["Routing:AlertPercents:0"] = "80",
            ["Routing:AlertPercents:1"] = "50",
            ["Routing:DegradePercent"] = "60",
            ["Routing:LocalOnlyPercent"] = "95",
        });
        using var client = factory.CreateClient();

        var budget = JsonNode.Parse(await client.GetStringAsync("/admin/budget", Cancel))!;

        Assert.Equal(40m, (decimal)budget["monthly_budget_usd"]!);
        Assert.Equal(1.5m, (decimal)budget["daily_budget_usd"]!);
        Assert.Equal([50d, 80d], budget["alert_percents"]!.AsArray().Select(p => (double)p!));
        Assert.Equal(60d, (double)budget["degrade_percent"]!);
        Assert.Equal(95d, (double)budget["local_only_percent"]!);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheAnswer()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", Cancel))!;

        var operation = document["paths"]!["/admin/budget"]!["get"]!;
        Assert.Equal("AdminBudget", (string?)operation["operationId"]);
        var reference = (string?)operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"];
        var schema = document["components"]!["schemas"]![reference!.Split('/')[^1]]!;
        Assert.Equal(
            ["alert_percents", "daily_budget_usd", "degrade_percent", "local_only_percent", "monthly_budget_usd"],
            schema["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.NotNull(operation["responses"]!["403"]);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/budget");
        request.Headers.Add("X-Api-Key", key);
        return await client.SendAsync(request, Cancel);
    }
}
