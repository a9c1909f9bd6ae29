using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Training;

namespace OpenSesame.Cli.Tests;

/// <summary>
/// <c>opensesame retrain</c> as a user runs it, over a temporary data directory whose outcome log was filled by real
/// predictions through the service's own pipeline (a session's next request is the outcome of its previous one), with
/// a tiny synthetic corpus and tiny training settings.
/// </summary>
public sealed class RetrainCommandTests : IDisposable
{
    private static readonly string Samples = Path.Combine(AppContext.BaseDirectory, "samples");

    // An invoicing workflow real users of the sample spec would follow; {0} is the session's invoice.
    private static readonly string[] Workflow =
    [
        "GET /v1/customers", "POST /v1/invoices", "POST /v1/invoices/in_{0}/lines", "POST /v1/invoices/in_{0}/finalize",
        "POST /v1/invoices/in_{0}/send", "GET /v1/payments",
    ];

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opensesame-cli-tests-").FullName;
    private readonly Dictionary<string, string?> _settings;

    public RetrainCommandTests() => _settings = new()
    {
        ["Storage:DataDirectory"] = _dataDirectory,
        ["Specs:Folders:0"] = Samples,
        // Only what the test trains may serve: no shipped model to compare with.
        ["Ranking:DefaultModelDirectory"] = "",
    };

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string TrainFile => Path.Combine(_dataDirectory, "training", TrainingData.TrainFileName);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private Task<StartedHost> StartHostAsync(CancellationToken cancellationToken) =>
        CliHost.StartAsync(_settings, cancellationToken: cancellationToken);

    /// <summary>Tiny settings: a few small trees on 300 sessions, synthetic only.</summary>
    private Task<(int Code, string Output, string Error)> RetrainAsync(string trees = "20", string leaves = "7", params string[] args) =>
        CommandRun.RunAsync(RetrainCommand.Create(StartHostAsync),
        [
            "retrain", "--data", TrainFile, "--traffic", "none", "--iterations", trees, "--leaves", leaves, "--min-examples-per-leaf", "5",
            "--min-holdout", "5", .. args,
        ]);

    /// <summary>The tiny corpus, and sessions of the workflow predicted through the service: each request resends the
    /// history so far, so it records what came after the session's previous prediction.</summary>
    private async Task PrepareAsync(int sessions = 12)
    {
        TrainingData.Generate(Path.GetDirectoryName(TrainFile)!, 300, seed: 42, heldOutDomainCount: 2);
        await using var host = await StartHostAsync(Cancel);
        var service = host.Get<PredictionService>();
        for (var s = 0; s < sessions; s++)
        {
            for (var calls = 1; calls <= Workflow.Length; calls++)
            {
                var request = new PredictRequest
                {
                    UserId = "u-" + (s % 3),
                    SessionId = "s-" + s,
                    SpecUrl = Path.Combine(Samples, "billing.yaml"),
                    K = 3,
                    Events = [.. Workflow.Take(calls).Select(e => new EventBody { Endpoint = string.Format(System.Globalization.CultureInfo.InvariantCulture, e, s) })],
                };
                Assert.IsType<PredictionOutcome.Answered>(await service.PredictAsync(request, Cancel));
            }
        }
    }

    [Fact]
    public async Task WithNothingServingTheCandidateIsPromotedAndTheCommandExitsZero()
    {
        await PrepareAsync();

        var (code, output, error) = await RetrainAsync();

        Assert.True(code == 0, error);
        await using var host = await StartHostAsync(Cancel);
        var store = host.Get<RankerModelStore>();
        var current = store.CurrentVersion();
        Assert.NotNull(current);
        Assert.Contains($"promoted: {current}", output, StringComparison.Ordinal);
        Assert.Contains("nothing to compare with", output, StringComparison.Ordinal);
        Assert.Contains("held-out outcomes, predicted", output, StringComparison.Ordinal);
        // 12 sessions of six calls: five outcomes each, the newest 20 % held out.
        Assert.Equal((48, 12), (store.Load(current).Info.RealOutcomes?.Groups, store.Load(current).Info.RealOutcomes?.HoldoutGroups));
        Assert.Contains("training on 48 labelled outcomes before the held-out slice", error, StringComparison.Ordinal);
        var run = Assert.Single(await host.Get<IRetrainRequests>().RecentAsync(5, Cancel));
        Assert.Equal((RetrainTrigger.Command, RetrainState.Promoted, current), (run.Trigger, run.State, run.Candidate));
    }

    // A deployment that gathers larger pools must get a model trained on pools like them.
    [Fact]
    public async Task TheCandidateIsTrainedOnPoolsBuiltByTheDeploymentsPredictionSettings()
    {
        await PrepareAsync(sessions: 6);
        _settings["Prediction:DefaultK"] = "3";
        _settings["Prediction:CandidateBuffer"] = "9";
        _settings["Prediction:CandidateBufferPerRootOperation"] = "2.5";
        _settings["Prediction:MaxCandidateBuffer"] = "40";

        var (code, _, error) = await RetrainAsync();

        Assert.True(code == 0, error);
        await using var host = await StartHostAsync(Cancel);
        var store = host.Get<RankerModelStore>();
        var options = store.Load(store.CurrentVersion()!).Info.Options;
        Assert.Equal((3.0, 9.0, 2.5, 40.0), (options["k"], options["candidate_buffer"], options["candidate_buffer_per_root_operation"],
            options["max_candidate_buffer"]));
    }

    [Fact]
    public async Task ACandidateWorseThanTheServingModelIsSavedUnpromotedAndTheCommandExitsThree()
    {
        await PrepareAsync();
        var first = await RetrainAsync();
        Assert.True(first.Code == 0, first.Error);

        // One tree of two leaves against twenty of seven, and no slack.
        var (code, output, error) = await RetrainAsync(trees: "1", leaves: "2", "--margin", "0");

        Assert.True(code == RetrainCommand.Refused, $"exit {code}: {output}\n{error}");
        await using var host = await StartHostAsync(Cancel);
        var store = host.Get<RankerModelStore>();
        var runs = await host.Get<IRetrainRequests>().RecentAsync(5, Cancel);
        Assert.Equal([RetrainState.Refused, RetrainState.Promoted], runs.Select(r => r.State));
        Assert.Equal(runs[1].Candidate, store.CurrentVersion());
        Assert.Contains(runs[0].Candidate!, store.Versions());
        Assert.Contains($"refused: {runs[0].Candidate}", output, StringComparison.Ordinal);
        Assert.Contains("worse than the margin", output, StringComparison.Ordinal);
        Assert.Contains($"current stays {runs[1].Candidate}", output, StringComparison.Ordinal);
        Assert.Equal(2, store.Evaluations().Count(e => e.Request == runs[0].Id));
    }

    [Theory]
    [InlineData("--holdout-share", "1.5")]
    [InlineData("--margin", "-0.1")]
    [InlineData("--real-group-weight", "-1")]
    [InlineData("--traffic-repeats", "-1")]
    [InlineData("--data", "/nowhere/train.jsonl")]
    public async Task BadInputExitsTwoWithAMessageAndTrainsNothing(string option, string value)
    {
        var (code, _, error) = await CommandRun.RunAsync(RetrainCommand.Create(StartHostAsync), "retrain", option, value);

        Assert.Equal(2, code);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.False(Directory.Exists(Path.Combine(_dataDirectory, "models")));
    }

    [Fact]
    public async Task ModelsListsTheRetrainedVersionWithItsOutcomesAndWhatTheGateMeasured()
    {
        await PrepareAsync();
        Assert.Equal(0, (await RetrainAsync()).Code);

        var (code, output, _) = await CommandRun.RunAsync(ModelsCommand.Create(StartHostAsync), "models", "--json");

        Assert.Equal(0, code);
        var listing = JsonNode.Parse(output)!;
        var model = listing["models"]!.AsArray().Single()!;
        Assert.Equal((string?)listing["current"], (string?)model["version"]);
        Assert.True((bool)model["current"]!);
        Assert.Equal(48, (int)model["real_outcomes"]!["groups"]!);
        Assert.Equal(12, (int)model["evaluation"]!["holdout_groups"]!);
        Assert.Equal("candidate", (string?)model["evaluation"]!["role"]);
        Assert.NotNull(model["evaluation"]!["prequential"]!["top3"]);
    }

    [Fact]
    public async Task TheServiceSideOfARetrainRequestIsWhatTheWatchingWorkerRuns()
    {
        await PrepareAsync(sessions: 4);
        string id;
        await using (var host = await StartHostAsync(Cancel))
        {
            id = (await host.Get<IRetrainRequests>().RequestAsync(RetrainTrigger.Request, "ops", DateTimeOffset.UtcNow, Cancel)).Id;
        }

        _settings["Learning:PollInterval"] = "00:00:00.200";
        _settings["Learning:RetrainAfterGroups"] = "0";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var watching = Task.Run(() => CommandRun.RunAsync(RetrainCommand.Create(StartHostAsync), stop.Token,
            "retrain", "--watch", "--data", TrainFile, "--traffic", "none", "--iterations", "5", "--leaves", "4", "--min-examples-per-leaf", "5"), CancellationToken.None);
        RetrainRequest? finished = null;
        await using (var host = await StartHostAsync(Cancel))
        {
            while (finished is null && !watching.IsCompleted)
            {
                await Task.Delay(200, Cancel);
                finished = await host.Get<IRetrainRequests>().FindAsync(id, Cancel) is { State: not (RetrainState.Pending or RetrainState.Running) } done ? done : null;
            }
        }

        await stop.CancelAsync();
        var (code, output, error) = await watching;

        Assert.Equal(0, code);
        Assert.Equal(RetrainState.Promoted, finished?.State);
        Assert.Contains($"retraining {id} (request, requested by ops", error, StringComparison.Ordinal);
        Assert.Contains($"promoted: {finished?.Candidate}", output, StringComparison.Ordinal);
        Assert.EndsWith("stopped", error.Trim(), StringComparison.Ordinal);
    }
}
