namespace OpenSesame.Predictor.Storage;

/// <summary>How a prediction's records (audit line, ledger lines, learned usage, the served-prediction log) are written:
/// section "Recording" of the configuration. See <see cref="RecordWriter"/>.</summary>
public sealed class RecordingOptions
{
    public const string Section = "Recording";

    /// <summary>How long a prediction waits for each of its records to be written before it answers anyway, leaving the
    /// write to go on behind it. Normally a write takes a few milliseconds, so an answered prediction's records are
    /// already stored; a store that is locked or slow costs each prediction at most this, and once writes are this late
    /// predictions stop waiting for them at all. Default 100 ms.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Records waiting to be written, at most; a record beyond it is dropped, counted and logged as an error.
    /// About 1 KB each. Default 10,000.</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>How long a record whose write fails is tried again (after 0.5 s, then twice as long each time, at most
    /// 10 s apart) before it is dropped, counted and logged as an error. The store already waits 30 s for a lock
    /// (SQLite's command timeout); a database held longer than that by another writer (a backup, a second process) lets
    /// go eventually, and the record is in memory meanwhile while the ones behind it wait in the queue. Zero: a failed
    /// write is dropped at once. Default 2 minutes.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long <c>/health/ready</c> stays Degraded after a record was dropped. Default 5 minutes.</summary>
    public TimeSpan DegradedAfterLoss { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long stopping the service waits for the records still queued to be written. Default 10 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the settings make sense; the reason when they do not.</summary>
    public string? Problem() =>
        WaitTimeout < TimeSpan.Zero ? "Recording:WaitTimeout must not be negative."
        : Capacity < 1 ? "Recording:Capacity must be at least 1."
        : RetryFor < TimeSpan.Zero ? "Recording:RetryFor must not be negative."
        : DrainTimeout < TimeSpan.Zero ? "Recording:DrainTimeout must not be negative."
        : null;
}
