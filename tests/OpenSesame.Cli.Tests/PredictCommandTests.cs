using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Cli.Simulation;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Storage;
using OpenSesame.Testing;

namespace OpenSesame.Cli.Tests;

/// <summary>
/// <c>opensesame predict</c> with the README's sample request, on a host started over a temporary data directory: the
/// first prediction sees what the hosted services did at start (the ranker's model, the budget's spend).
/// </summary>
public sealed class PredictCommandTests : IDisposable
{
    private static readonly string Spec = Path.Combine(AppContext.BaseDirectory, "samples", "billing.yaml");
    private static readonly string Events = Path.Combine(AppContext.BaseDirectory, "samples", "events.json");

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opensesame-cli-tests-").FullName;
    private readonly Dictionary<string, string?> _settings;

    public PredictCommandTests() => _settings = new() { ["Storage:DataDirectory"] = _dataDirectory };

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task PredictRanksWithTheModelTheHostLoadedOnStart()
    {
        // The shipped model under another name, saved where 'opensesame train' saves: it must win over the shipped one.
        var shipped = new RankerModelStore(new RankingOptions().DefaultModelDirectory);
        var model = shipped.Load(shipped.CurrentVersion()!);
        RankerModelStore.Configured(new RankingOptions(), new StorageOptions { DataDirectory = _dataDirectory })
            .Save(model with { Info = model.Info with { Version = "ltr-trained-here" } });

        var (code, output, error) = await PredictAsync();

        Assert.Equal((0, ""), (code, error));
        var response = JsonNode.Parse(output)!;
        Assert.Equal("ltr-trained-here", (string?)response["model_version"]);
        Assert.Equal("POST /v1/invoices/{invoice}/finalize", (string?)response["predictions"]![0]!["endpoint"]);
    }

    [Fact]
    public async Task PredictSaysOnStandardErrorThatTheHeuristicRanksWhenThereIsNoModel()
    {
        _settings["Ranking:DefaultModelDirectory"] = "";

        var (code, output, error) = await PredictAsync();

        Assert.Equal(0, code);
        Assert.Equal("heuristic-v1", (string?)JsonNode.Parse(output)!["model_version"]);
        Assert.Equal("No trained ranker model yet ('opensesame generate' then 'opensesame train'); ranking with the heuristic.",
            error.Trim());
    }

    [Fact]
    public async Task TheFirstPredictionSeesTheMonthsSpendTheHostLoadedFromTheLedger()
    {
        using var provider = new FakeAnthropicProvider();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 20, 12, 0, 0, TimeSpan.Zero));
        _settings["Routing:MonthlyBudgetUsd"] = "1";
        _settings["Llm:Anthropic:ApiKey"] = "test";
        _settings["Llm:Anthropic:BaseUrl"] = provider.BaseUrl;
        _settings["Llm:OpenAI:ApiKey"] = "test";
        _settings["Llm:OpenAI:BaseUrl"] = provider.BaseUrl + "/v1";
        await using (var host = await StartHostAsync(time, Cancel))
        {
            await host.Get<ICostLedger>().RecordAsync(new CostEntry(time.GetUtcNow().AddDays(-2), "p-0", "ana", "s-0",
                "claude-3-sonnet", 0, 0, 1m, false), Cancel);
        }

        var (code, output, _) = await PredictAsync(time);

        // Spent in an earlier process, so only the budget loaded at start knows: no model call, not even the first.
        Assert.Equal(0, code);
        var response = JsonNode.Parse(output)!;
        Assert.Equal(RouteReasons.BudgetExhausted, (string?)response["metadata"]!["route"]!["reason"]);
        Assert.Equal(0m, (decimal)response["cost_usd"]!);
        Assert.Equal(0, provider.Requests);
    }

    // Issue 14, item 5, not met yet: the shipped model (ltr-20261207-214332-13619239) ranks pay 5th, send 9th and
    // finalize 10th (a billing-portal session, the invoice's detail, the list and the invoice's update first; earlier
    // models: pay 6th, finalize 7th, send 9th; pay 5th, finalize 6th, send 10th; pay 6th, send 7th, finalize 8th; the
    // first model of issue 14 send 12th, finalize 13th, pay 15th).
    // Remove the skip when it passes.
    [Fact(Skip = "Known failure (issue 14): the shipped model does not yet put finalize, pay or send in the top 3 here.")]
    public async Task TheChallengesExampleOnTheRealStripeSpecFinishesTheInvoiceWithTheShippedModel()
    {
        var events = Path.Combine(_dataDirectory, "stripe-events.json");
        await File.WriteAllTextAsync(events, """
            [{"endpoint": "GET /v1/invoices", "params": {}}, {"endpoint": "PUT /v1/invoices/in_123/status", "params": {}}]
            """, Cancel);

        var (code, output, _) = await PredictAsync(spec: EvalData.StripeSpec, events: events);

        Assert.Equal(0, code);
        var predictions = JsonNode.Parse(output)!["predictions"]!.AsArray();
        string[] finishing = ["POST /v1/invoices/{invoice}/finalize", "POST /v1/invoices/{invoice}/pay", "POST /v1/invoices/{invoice}/send"];
        Assert.Contains(predictions.Take(3), p => finishing.Contains((string?)p!["endpoint"])
            && (string?)p["params"]!["invoice"] == "in_123");
        Assert.All(predictions, p => Assert.False((bool?)p!["destructive"] ?? false, (string?)p!["endpoint"]));
    }

    private Task<(int Code, string Output, string Error)> PredictAsync(TimeProvider? time = null, string? spec = null, string? events = null) =>
        CommandRun.RunAsync(PredictCommand.Create(cancellationToken => StartHostAsync(time, cancellationToken)),
            "predict", "--spec", spec ?? Spec, "--events", events ?? Events, "--prompt", "Let's finish billing for Q2", "-k", "5", "--json");

    private Task<StartedHost> StartHostAsync(TimeProvider? time, CancellationToken cancellationToken) =>
        CliHost.StartAsync(_settings, services =>
        {
            if (time is not null)
            {
                services.AddSingleton(time);
            }
        }, cancellationToken);
}
