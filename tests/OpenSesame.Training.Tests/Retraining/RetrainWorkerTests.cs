using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Storage;
using OpenSesame.Storage.Sqlite;
using OpenSesame.Training.Retraining;

namespace OpenSesame.Training.Tests.Retraining;

/// <summary>The worker that trains apart from the service: requests, the schedule and new outcomes, on a real queue and
/// outcome log in one SQLite file, on a fake clock.</summary>
public sealed class RetrainWorkerTests(TinyRanker tiny) : IDisposable
{
    private readonly OutcomeLog _log = new();
    private readonly FakeTimeProvider _time = new(OutcomeLog.Start.AddDays(1));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _log.Dispose();

    private SqliteRetrainRequests Requests() =>
        new(new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _log.Folder })));

    private RetrainWorker Worker(LearningOptions learning, string? dataFile = null)
    {
        // Without embeddings: what is tested here is the worker, and the tiny run is quicker without them.
        var training = TinyRanker.Options();
        training.Semantic = false;
        var retrainer = new Retrainer(training, learning, _log.Store, _log.Models, shipped: null, _time);
        return new RetrainWorker(Requests(), _log.Store, retrainer, dataFile ?? tiny.TrainFile, learning, _time, "host:1");
    }

    [Fact]
    public async Task AWaitingRequestIsClaimedTrainedAndRecordedAndTheNextPollFindsNothingToDo()
    {
        await _log.LogAsync(OutcomeLog.HeldOutGroups(tiny).Take(60));
        var requested = await Requests().RequestAsync(RetrainTrigger.Request, "ops", _time.GetUtcNow(), Cancel);
        var worker = Worker(new LearningOptions { RetrainAfterGroups = 0 });

        var finished = await worker.RunOnceAsync(null, Cancel);
        var idle = await worker.RunOnceAsync(null, Cancel);

        Assert.NotNull(finished);
        Assert.Equal((requested.Id, RetrainState.Promoted, "host:1"), (finished.Id, finished.State, finished.Worker));
        Assert.Equal(_log.Models.CurrentVersion(), finished.Candidate);
        Assert.Contains("nothing to compare with", finished.Message, StringComparison.Ordinal);
        Assert.Null(idle);
    }

    [Fact]
    public async Task ARunThatFailsIsRecordedAsFailedAndTheWorkerKeepsPolling()
    {
        var requested = await Requests().RequestAsync(RetrainTrigger.Request, "ops", _time.GetUtcNow(), Cancel);
        var worker = Worker(new LearningOptions { RetrainAfterGroups = 0 }, dataFile: Path.Combine(_log.Folder, "missing.jsonl"));

        var finished = await worker.RunOnceAsync(null, Cancel);

        Assert.Equal((requested.Id, RetrainState.Failed), (finished?.Id, finished?.State));
        Assert.Contains("missing.jsonl", finished?.Message, StringComparison.Ordinal);
        Assert.Null(_log.Models.CurrentVersion());
        Assert.Null(await worker.RunOnceAsync(null, Cancel));
    }

    [Fact]
    public async Task TheScheduleIsOffByDefaultAndOnceSetIsDueWhenTheIntervalWentBySinceTheLastRunBegan()
    {
        var off = Worker(new LearningOptions());
        var daily = Worker(new LearningOptions { RetrainInterval = TimeSpan.FromDays(1) });

        Assert.Null(await off.DueAsync(Cancel));
        Assert.Equal(RetrainTrigger.Schedule, await daily.DueAsync(Cancel));
        await Requests().ClaimNewAsync(RetrainTrigger.Schedule, RetrainWorker.Requester, "host:1", _time.GetUtcNow(), DateTimeOffset.MinValue, onlyIfIdle: true, Cancel);
        _time.Advance(TimeSpan.FromHours(23));
        Assert.Null(await daily.DueAsync(Cancel));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(RetrainTrigger.Schedule, await daily.DueAsync(Cancel));
    }

    [Fact]
    public async Task NewLabelledOutcomesCallForARunOnceEnoughArrivedSinceTheLastRunBegan()
    {
        var groups = OutcomeLog.HeldOutGroups(tiny).Where(g => g.Positive >= 0).ToList();
        var worker = Worker(new LearningOptions { RetrainAfterGroups = 30 });
        await _log.LogAsync(groups.Take(30));
        Assert.Equal(RetrainTrigger.Outcomes, await worker.DueAsync(Cancel));

        // A run began after those outcomes were recorded: they are not new any more.
        await Requests().ClaimNewAsync(RetrainTrigger.Outcomes, RetrainWorker.Requester, "host:1", OutcomeLog.Start.AddDays(1),
            DateTimeOffset.MinValue, onlyIfIdle: true, Cancel);
        Assert.Null(await worker.DueAsync(Cancel));
        Assert.Null(await Worker(new LearningOptions { RetrainAfterGroups = 0 }).DueAsync(Cancel));
    }
}
