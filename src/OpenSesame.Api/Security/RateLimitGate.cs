using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Security;

/// <summary>
/// Counts a request against the configured <see cref="IRateLimitStore"/> and, when that store cannot count (Redis is
/// down or slow), against this process's own counts instead: limits become per instance, never absent. The fall-back
/// is logged as a warning at most once a minute, with how many requests it counted since, and is visible to
/// <c>/health/ready</c> (<see cref="FallingBackSince"/>) until the shared store answers again.
/// </summary>
internal sealed partial class RateLimitGate(
    IRateLimitStore store,
    InMemoryRateLimitStore local,
    TimeProvider time,
    ILogger<RateLimitGate> logger)
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private DateTimeOffset? _fallingBackSince;
    private DateTimeOffset _nextWarning = DateTimeOffset.MinValue;
    private long _countedLocally;

    /// <summary>Whether the counts are shared with other instances at all (a shared store is configured).</summary>
    public bool IsShared => !ReferenceEquals(store, local);

    /// <summary>When the shared store last started failing, while it still does; null while it answers.</summary>
    public DateTimeOffset? FallingBackSince
    {
        get
        {
            lock (_gate)
            {
                return _fallingBackSince;
            }
        }
    }

    public async ValueTask<RateLimitDecision> AcquireAsync(string partition, int permitLimit, TimeSpan window,
        CancellationToken cancellationToken)
    {
        if (!IsShared)
        {
            return await local.AcquireAsync(partition, permitLimit, window, cancellationToken);
        }

        try
        {
            var decision = await store.AcquireAsync(partition, permitLimit, window, cancellationToken);
            Recovered();
            return decision;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            FellBack(ex);
            return await local.AcquireAsync(partition, permitLimit, window, cancellationToken);
        }
    }

    private void Recovered()
    {
        if (FallingBackSince is null)
        {
            return;
        }

        long counted;
        lock (_gate)
        {
            if (_fallingBackSince is null)
            {
                return;
            }

            _fallingBackSince = null;
            _nextWarning = DateTimeOffset.MinValue;
            counted = _countedLocally;
            _countedLocally = 0;
        }

        LogRecovered(logger, counted);
    }

    private void FellBack(Exception ex)
    {
        var now = time.GetUtcNow();
        long counted;
        lock (_gate)
        {
            _fallingBackSince ??= now;
            _countedLocally++;
            if (now < _nextWarning)
            {
                return;
            }

            _nextWarning = now + WarningInterval;
            counted = _countedLocally;
        }

        LogFallingBack(logger, ex.GetType().Name, ex.Message, counted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shared rate-limit store does not answer ({ErrorType}: {Error}): "
        + "limits are counted per instance until it does ({Counted} requests so far). Each instance now admits the whole limit.")]
    private static partial void LogFallingBack(ILogger logger, string errorType, string error, long counted);

    [LoggerMessage(Level = LogLevel.Information, Message = "The shared rate-limit store answers again; "
        + "{Counted} requests were counted per instance meanwhile.")]
    private static partial void LogRecovered(ILogger logger, long counted);
}
