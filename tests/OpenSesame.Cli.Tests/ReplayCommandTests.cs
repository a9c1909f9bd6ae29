using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Testing;

namespace OpenSesame.Cli.Tests;

/// <summary>
/// <c>opensesame replay</c> through the real service: in process, and over HTTP against the API host on 127.0.0.1. The
/// task set is written here: 20 sessions of one workflow on the sample billing spec, without prompts, in an order no
/// cold ranker guesses (the payments, a new customer, an invoice's lines, the customer), so that what the service
/// learns from the sessions before shows in the later ones.
/// </summary>
public sealed class ReplayCommandTests : IDisposable
{
    private const int Sessions = 20;

    private static readonly string[] Workflow =
        ["GET /v1/payments", "POST /v1/customers", "GET /v1/invoices/in_1/lines", "GET /v1/customers/cus_1"];

    private readonly TempFolder _folder = new();
    private readonly string _dataset;

    /// <summary>What both the in-process service and the API host run with: no sentence embeddings (faster; the same on
    /// both sides) and the shipped ranker (an empty model directory, whatever the machine has trained).</summary>
    private readonly Dictionary<string, string?> _settings;

    public ReplayCommandTests()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "samples", "billing.yaml"), _folder.PathOf("billing.yaml"));
        var lines = Enumerable.Range(1, Sessions).SelectMany(session => Workflow.Select((expected, i) => JsonSerializer.Serialize(new
        {
            id = $"session-{session}",
            spec = "billing.yaml",
            events = Workflow.Take(i).Select(endpoint => new { endpoint }),
            expected,
        })));
        _dataset = _folder.Write("workflow.jsonl", string.Join("\n", lines));
        _settings = new()
        {
            ["Prediction:SemanticRetrieval"] = "false",
            ["Ranking:ModelDirectory"] = _folder.PathOf("no-models"),
        };
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private Task<(int Code, string Output, string Error)> ReplayAsync(params string[] args) =>
        CommandRun.RunAsync(ReplayCommand.Create(_settings), ["replay", "--format", "jsonl", "--dataset", _dataset, .. args]);

    [Fact]
    public async Task InProcessTheServiceLearnsARepeatedWorkflowAndItsLastStepFromEachSessionsClosingRequest()
    {
        var dataDirectory = _folder.PathOf("data");
        var casesOut = _folder.PathOf("cases.jsonl");

        var (code, output, error) = await ReplayAsync("--window", "4", "--json", "--data-dir", dataDirectory, "--cases-out", casesOut);

        Assert.True(code == 0, error);
        var result = JsonNode.Parse(output)!;
        Assert.Equal((80, Sessions, 100, 0, Sessions, 0), ((int)result["cases"]!, (int)result["sessions"]!, (int)result["requests"]!,
            (int)result["between_requests"]!, (int)result["closing_requests"]!, (int)result["non_2xx"]!));
        var windows = result["windows"]!.AsArray();
        Assert.Equal(Sessions, windows.Count);
        Assert.True((double)windows[0]!["top3"]! < (double)windows[^1]!["top3"]!, output);
        Assert.Equal(1.0, (double)windows[^1]!["top1"]!);

        // The workflow's last call ends no case's history: only the closing requests teach it, from the second session on.
        var lastCalls = File.ReadAllLines(casesOut).Select(line => JsonNode.Parse(line)!)
            .Where(c => c["history"]!.AsArray().Count == 3).ToList();
        Assert.Equal(Sessions, lastCalls.Count);
        Assert.All(lastCalls.Skip(1), c => Assert.Equal(1, (int?)c["rank"]));

        // The closing request reached the service: it is the session's newest logged prediction, with the whole session as history.
        await using var host = await CliHost.StartAsync(new Dictionary<string, string?> { ["Storage:DataDirectory"] = dataDirectory },
            cancellationToken: Cancel);
        var closing = await host.Get<IOutcomeStore>().LatestOfSessionAsync("replay:session-20", "session-20", Cancel);
        Assert.Equal(Workflow.Length, closing?.HistoryLength);
    }

    [Fact]
    public async Task OverHttpTheRealServiceGivesTheSameNumbersAsInProcess()
    {
        using var api = new ApiHost(_settings);
        var url = api.Start();

        var (httpCode, overHttp, httpError) = await ReplayAsync("--url", url, "--window", "10", "--json");
        var (code, inProcess, error) = await ReplayAsync("--window", "10", "--json");

        Assert.True(httpCode == 0, httpError);
        Assert.True(code == 0, error);
        var http = JsonNode.Parse(overHttp)!.AsObject();
        var local = JsonNode.Parse(inProcess)!.AsObject();
        Assert.Equal(("http", url), ((string?)http["mode"], (string?)http["url"]));
        Assert.Equal("in-process", (string?)local["mode"]);
        Assert.Equal(0, (int)http["non_2xx"]!);
        foreach (var field in new[] { "mode", "url" })
        {
            http.Remove(field);
            local.Remove(field);
        }

        Assert.Equal(local.ToJsonString(), http.ToJsonString());
    }

    [Fact]
    public async Task AServiceThatAsksForAKeyIsReplayedWithItAndItsRateLimitIsWaitedOut()
    {
        const string key = "replay-test-key";
        var settings = new Dictionary<string, string?>(_settings)
        {
            ["Security:ApiKeys:0:Owner"] = "replay",
            ["Security:ApiKeys:0:Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
            ["Security:ApiKeys:0:Roles:0"] = "predict",
            // Counted per key owner, so the whole replay shares it: 10 requests a second for about 50.
            ["Security:RateLimit:PermitLimit"] = "10",
            ["Security:RateLimit:Window"] = "00:00:01",
            // The spec by path, from a folder the service serves.
            ["Specs:Folders:5"] = _folder.Root,
        };
        using var api = new ApiHost(settings);
        var url = api.Start();

        var (refused, _, refusal) = await ReplayAsync("--url", url, "--limit", "40");
        var (code, output, error) = await ReplayAsync("--url", url, "--api-key", key, "--limit", "40", "--spec-delivery", "path", "--json");

        Assert.Equal(2, refused);
        Assert.Contains("answered 401", refusal, StringComparison.Ordinal);
        Assert.Contains("--api-key", refusal, StringComparison.Ordinal);
        Assert.True(code == 0, error);
        var result = JsonNode.Parse(output)!;
        Assert.Equal((40, 0), ((int)result["cases"]!, (int)result["non_2xx"]!));
        Assert.Contains("were throttled (429) and sent again", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownFormatIsBadInput()
    {
        var (code, output, error) = await CommandRun.RunAsync(ReplayCommand.Create(_settings),
            "replay", "--format", "postman", "--dataset", _dataset);

        Assert.Equal((2, ""), (code, output));
        Assert.Contains("Unknown dataset format 'postman'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingDatasetIsBadInput()
    {
        var (code, output, error) = await CommandRun.RunAsync(ReplayCommand.Create(_settings),
            "replay", "--format", "jsonl", "--dataset", _folder.PathOf("nothing.jsonl"));

        Assert.Equal((2, ""), (code, output));
        Assert.Contains("nothing.jsonl", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAddressWhereNothingListensIsBadInput()
    {
        // A port that was free a moment ago.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (code, output, error) = await ReplayAsync("--url", $"http://127.0.0.1:{port}");

        Assert.Equal((2, ""), (code, output));
        Assert.Contains($"Cannot reach http://127.0.0.1:{port}/", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "{}", "answered 404: no prediction service there")]
    [InlineData(200, "<html>hello</html>", "answered 200 with something other than predictions")]
    public async Task AnAddressWhereAnotherServiceAnswersIsBadInput(int status, string body, string message)
    {
        using var other = new LoopbackHttpServer(_ => System.Threading.Tasks.Task.FromResult((status, body)));

        var (code, output, error) = await ReplayAsync("--url", other.Url(""));

        Assert.Equal((2, ""), (code, output));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceThatGoesAwayDuringTheRunEndsItWithExitCode1()
    {
        // Predictions for the first two requests (and the reachability check), then no prediction service any more.
        var predictions = 0;
        using var fading = new LoopbackHttpServer(request => System.Threading.Tasks.Task.FromResult(
            !request.Url!.AbsolutePath.EndsWith("/predict", StringComparison.Ordinal) ? (200, "Healthy")
            : Interlocked.Increment(ref predictions) <= 2 ? (200, """{"predictions": [], "model_version": "m"}""")
            : (404, "{}")));

        var (code, output, error) = await ReplayAsync("--url", fading.Url(""));

        Assert.Equal((1, ""), (code, output));
        Assert.Contains("answered 404", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--url", "ftp://127.0.0.1/", "--url must be an http or https address")]
    [InlineData("--url", "localhost:8080", "--url must be an http or https address")]
    [InlineData("--k", "0", "--k must be at least 1")]
    [InlineData("--window", "0", "--window must be at least 1")]
    [InlineData("--limit", "0", "--limit must be at least 1")]
    [InlineData("--api-key", "k", "--api-key is for a service over HTTP")]
    public async Task OptionsThatCannotWorkAreBadInput(string option, string value, string message)
    {
        var (code, output, error) = await ReplayAsync(option, value);

        Assert.Equal((2, ""), (code, output));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADataDirectoryIsForTheServiceInProcessOnly()
    {
        var (code, _, error) = await ReplayAsync("--url", "http://127.0.0.1:9", "--data-dir", _folder.PathOf("data"));

        Assert.Equal(2, code);
        Assert.Contains("--data-dir is for the service in process", error, StringComparison.Ordinal);
    }
}
