using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;
using OpenSesame.Predictor.Training;

namespace OpenSesame.Predictor.Ranking;

/// <summary>The ranker that serves right now; swapped whole, so a request sees one model from start to end.</summary>
public interface IRankerSource
{
    ICandidateRanker Current { get; }

    /// <summary>What the learned model serving now was trained on and how well it did, or null while the heuristic
    /// ranker serves.</summary>
    RankerModelInfo? CurrentModel { get; }
}

/// <summary>
/// Owns the serving ranker. On start it loads the current model version; with none on disk (and AutoTrain on) it
/// generates synthetic sessions and trains one in the background while the heuristic ranker serves, logging progress.
/// Every <see cref="RankingOptions.ReloadInterval"/> it looks for a newer current version (written by
/// <c>opensesame train</c> or a retraining job) and swaps it in without a restart.
/// </summary>
internal sealed class RankerHost(
    RankerModelStore store,
    IOptions<RankingOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<RankerHost> logger) : IRankerSource, IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private volatile ICandidateRanker _current = new HeuristicRanker();
    private ITimer? _timer;
    private Task _training = Task.CompletedTask;
    private int _checking;
    private int _stopped;

    // A version that failed to load is reported once, not at every reload tick; saving a new version retries.
    private string? _unloadable;

    public ICandidateRanker Current => _current;

    public RankerModelInfo? CurrentModel => (_current as LearnedRanker)?.Model.Info;

    /// <summary>The background training started because no model existed (completed when there was none to do).</summary>
    public Task Training => _training;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Train only when there is no model at all; an unreadable one is an operator's problem to see in the log.
        if (!TryLoadCurrent() && options.Value.AutoTrain && store.CurrentVersion() is null)
        {
            _training = Task.Run(TrainFirstModel, CancellationToken.None);
        }

        _timer = time.CreateTimer(_ => CheckForNewVersion(), null, options.Value.ReloadInterval, options.Value.ReloadInterval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _timer?.Dispose();
        await Task.WhenAny(_training, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
    }

    // The container may be disposed before or after the host stops; either order must be quiet.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _stopping.Cancel();
        }

        _timer?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Loads the version on disk if it differs from the serving one; false when there is none to load.</summary>
    public bool TryLoadCurrent()
    {
        var version = store.CurrentVersion();
        if (version is null)
        {
            return false;
        }

        if (version == _current.Version)
        {
            return true;
        }

        if (version == _unloadable)
        {
            return false;
        }

        try
        {
            _current = new LearnedRanker(store.Load(version));
            logger.LogInformation("Ranking with model {Version}.", version);
            return true;
        }
        catch (InvalidDataException ex)
        {
            _unloadable = version;
            logger.LogError("Cannot load ranker model {Version}: {Reason} The current ranker ({Current}) keeps serving.",
                version, ex.Message, _current.Version);
            return false;
        }
    }

    private void CheckForNewVersion()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }

        try
        {
            TryLoadCurrent();
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private void TrainFirstModel()
    {
        try
        {
            var settings = options.Value;
            var folder = Path.Combine(storage.Value.DataDirectory, "training");
            logger.LogInformation("No ranker model in {Directory}: training one on {Sessions} synthetic sessions; the heuristic ranker serves meanwhile.",
                store.Directory, settings.AutoTrainSessions);
            var manifest = TrainingData.Generate(folder, settings.AutoTrainSessions, new TrainingOptions().Seed, heldOutDomainCount: 2);
            _stopping.Token.ThrowIfCancellationRequested();
            var model = new RankerTrainer(new TrainingOptions(), time)
                .Train(Path.Combine(folder, manifest.TrainFile), new Progress<string>(line => logger.LogInformation("Training: {Line}", line)));
            _stopping.Token.ThrowIfCancellationRequested();
            store.Save(model);
            TryLoadCurrent();
        }
        catch (OperationCanceledException)
        {
            logger.LogInformation("Ranker training stopped with the service.");
        }
#pragma warning disable CA1031 // The last line of a background task: whatever failed must be logged, not lost.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogError(ex, "Training the first ranker model failed; the heuristic ranker keeps serving.");
        }
    }
}
