using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Ranking;

/// <summary>The ranker that serves right now; swapped whole, so a request sees one model from start to end.</summary>
public interface IRankerSource
{
    ICandidateRanker Current { get; }

    /// <summary>What the learned model serving now was trained on and how well it did, or null while the heuristic
    /// ranker serves.</summary>
    RankerModelInfo? CurrentModel { get; }

    /// <summary>The configured challenger (<see cref="RankingOptions.Challenger"/>) when it loads and differs from the
    /// current version; null otherwise.</summary>
    ICandidateRanker? Challenger { get; }
}

/// <summary>
/// Owns the serving ranker. On start it loads the current version of the configured model store (what
/// <c>opensesame train</c> wrote), or, while that holds none, the model that ships with the service
/// (<see cref="RankingOptions.DefaultModelDirectory"/>); with neither, the heuristic ranker serves. Every
/// <see cref="RankingOptions.ReloadInterval"/> it looks for a newer current version and swaps it in without a restart.
/// It never trains: fitting a model takes a minute of both cores and a gigabyte, which a serving process cannot spare.
/// </summary>
internal sealed partial class RankerHost(
    RankerModelStore store,
    IOptions<RankingOptions> options,
    TimeProvider time,
    ILogger<RankerHost> logger) : IRankerSource, IHostedService, IDisposable
{
    private readonly RankerModelStore? _shipped =
        string.IsNullOrWhiteSpace(options.Value.DefaultModelDirectory) ? null : new RankerModelStore(options.Value.DefaultModelDirectory);

    private volatile ICandidateRanker _current = new HeuristicRanker();
    private volatile LearnedRanker? _challenger;
    private ITimer? _timer;
    private int _checking;

    // A version that failed to load is reported once, not at every reload tick; saving a new version retries.
    private string? _unloadable;

    public ICandidateRanker Current => _current;

    public RankerModelInfo? CurrentModel => (_current as LearnedRanker)?.Model.Info;

    public ICandidateRanker? Challenger => _challenger is { } challenger && challenger.Version != _current.Version ? challenger : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!TryLoadCurrent())
        {
            LogNoModel(store.Directory);
        }

        TryLoadChallenger();

        _timer = time.CreateTimer(_ => CheckForNewVersion(), null, options.Value.ReloadInterval, options.Value.ReloadInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Loads the version to serve (the store's current, else the shipped one) if it differs from the serving
    /// one; false when there is none that loads.</summary>
    public bool TryLoadCurrent()
    {
        var (source, version) = store.CurrentVersion() is { } trained ? (store, trained)
            : _shipped?.CurrentVersion() is { } shipped ? (_shipped, shipped)
            : (null, null);
        if (source is null || version is null)
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
            _current = new LearnedRanker(source.Load(version));
            LogServing(version, source.Directory);
            return true;
        }
        catch (InvalidDataException ex)
        {
            _unloadable = version;
            LogUnloadable(version, ex.Message, _current.Version);
            return false;
        }
    }

    /// <summary>Loads the configured challenger version from the model store, once per version named.</summary>
    public void TryLoadChallenger()
    {
        var version = options.Value.Challenger;
        if (string.IsNullOrWhiteSpace(version))
        {
            _challenger = null;
            return;
        }

        if (_challenger?.Version == version || version == _unloadable)
        {
            return;
        }

        try
        {
            _challenger = new LearnedRanker(store.Load(version));
            LogChallenger(version, store.Directory);
        }
        catch (InvalidDataException ex)
        {
            _unloadable = version;
            LogUnloadable(version, ex.Message, _current.Version);
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
            TryLoadChallenger();
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ranking with model {Version} from {Directory}.")]
    private partial void LogServing(string version, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Challenger model {Version} from {Directory} serves the users the RankerChallenger feature targets.")]
    private partial void LogChallenger(string version, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot load ranker model {Version}: {Reason} The current ranker ({Current}) keeps serving.")]
    private partial void LogUnloadable(string version, string reason, string current);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No ranker model in {Directory} and none shipped with the service: the heuristic ranker serves. Train one with 'opensesame generate' and 'opensesame train'.")]
    private partial void LogNoModel(string directory);
}
