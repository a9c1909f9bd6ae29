using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Telemetry;

namespace OpenSesame.Predictor.Storage;

/// <summary>
/// The way a prediction's records (audit line, ledger lines, learned usage, the served-prediction log) reach storage,
/// so that storage never holds a prediction up. Writes are queued and made by one writer, in order: a store takes one
/// writer at a time anyway (SQLite), and a locked store then blocks that one thread, not one per request. A prediction
/// waits for each of its writes at most <see cref="RecordingOptions.WaitTimeout"/>, and not at all while the writer is
/// already that late, so normally an answered prediction's records are stored and a locked or slow store costs little.
/// A write that fails is tried again for <see cref="RecordingOptions.RetryFor"/>. A record that cannot be written (its
/// write still failed, or the queue is full or closed) is counted in <c>opensesame.recording.dropped</c> and logged as an
/// error (one line a second at most, counting the others), never lost without a word; <see cref="Status"/> says when
/// writes are late or records were lost (<c>/health/ready</c> reports it as Degraded). Stopping the service writes what
/// is queued first. What waits in the queue is in memory only: a crash loses the records of predictions that did not
/// wait for them, which happens only while writes are late.
/// </summary>
public sealed partial class RecordWriter : IHostedService, IDisposable
{
    private readonly Channel<Work> _queue;
    private readonly IOptions<RecordingOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordWriter> _logger;
    private readonly Counter<long> _dropped;
    private readonly Lock _gate = new();
    private Task? _writer;
    private Work? _last;
    private long _pending;
    private long _droppedTotal;
    private long _writingSinceTicks;
    private long _lastLossTicks;
    private long _lastLossLogTicks;
    private long _unloggedLosses;

    public RecordWriter(IOptions<RecordingOptions> options, TimeProvider time, ILogger<RecordWriter> logger, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(Math.Max(1, options.Value.Capacity)) { SingleReader = true });
        var meter = meters.Create(PredictorTelemetry.Name);
        _dropped = meter.CreateCounter<long>("opensesame.recording.dropped", "{record}",
            "Records (audit, ledger, usage, outcomes) that were never written; tags: kind, reason (failed, full, closed).");
        meter.CreateObservableGauge("opensesame.recording.pending", () => Interlocked.Read(ref _pending), "{record}",
            "Records queued or being written.");
    }

    /// <summary>
    /// Queues <paramref name="write"/> and waits for it at most <see cref="RecordingOptions.WaitTimeout"/> (not at all
    /// while writes are late). Never throws for the write: its failure is the queue's to report.
    /// </summary>
    /// <param name="kind">What is written ("audit", "ledger", "usage", "outcomes"), for logs and metrics.</param>
    /// <param name="predictionId">Whose record it is, for logs.</param>
    public async Task WriteAsync(string kind, string predictionId, Func<CancellationToken, Task> write)
    {
        var work = new Work(kind, predictionId, write);
        EnsureWriter();
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(work))
        {
            Interlocked.Decrement(ref _pending);
            Lost(work, null, _queue.Reader.Completion.IsCompleted ? "closed" : "full");
            return;
        }

        Volatile.Write(ref _last, work);
        var wait = _options.Value.WaitTimeout;
        if (Late(wait) is not null)
        {
            return;
        }

        try
        {
            await work.Done.Task.WaitAsync(wait, _time);
        }
        catch (TimeoutException)
        {
            // Written later; Status shows the writer late meanwhile.
        }
    }

    /// <summary>How recording stands: records not yet written, how long the write in progress has taken when that is
    /// longer than predictions wait, records lost so far and when the last was.</summary>
    public RecordingStatus Status()
    {
        var options = _options.Value;
        var lastLoss = Interlocked.Read(ref _lastLossTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : (DateTimeOffset?)null;
        return new RecordingStatus(Interlocked.Read(ref _pending), Late(options.WaitTimeout), Interlocked.Read(ref _droppedTotal),
            lastLoss, lastLoss is { } at && _time.GetUtcNow() - at < options.DegradedAfterLoss);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureWriter();
        return Task.CompletedTask;
    }

    /// <summary>Waits (at most <see cref="RecordingOptions.DrainTimeout"/>) until what was queued is written; requests
    /// still finishing may queue more, which <see cref="Dispose"/> writes after the server has stopped.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // One writer, in order: when the last record queued is written, so is every one before it.
        if (Volatile.Read(ref _last) is { } last)
        {
            try
            {
                await last.Done.Task.WaitAsync(_options.Value.DrainTimeout, _time, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // What is still queued is written, or reported lost, when the queue is disposed.
            }
        }
    }

    /// <summary>Closes the queue and writes what is in it, for at most <see cref="RecordingOptions.DrainTimeout"/>;
    /// what is left then is reported lost.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        Task? writer;
        lock (_gate)
        {
            writer = _writer;
        }

        if (writer is not null && !writer.Wait(_options.Value.DrainTimeout) && Interlocked.Read(ref _pending) is var left and > 0)
        {
            LogNotDrained(left);
        }
    }

    private void EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is not null)
        {
            return;
        }

        lock (_gate)
        {
            _writer ??= Task.Run(WriteAllAsync);
        }
    }

    private async Task WriteAllAsync()
    {
        await foreach (var work in _queue.Reader.ReadAllAsync())
        {
            var started = _time.GetUtcNow();
            Interlocked.Exchange(ref _writingSinceTicks, started.UtcTicks);
            try
            {
                await WriteWithRetriesAsync(work, started);
            }
            catch (Exception ex)
            {
                Lost(work, ex, "failed");
            }
            finally
            {
                Interlocked.Exchange(ref _writingSinceTicks, 0);
                Interlocked.Decrement(ref _pending);
                work.Done.TrySetResult();
            }
        }
    }

    // A store locked for longer than its own busy wait (a backup, another process) lets go eventually; the record is
    // in memory anyway, so it is tried again, later each time, until RetryFor has passed since its first try.
    private async Task WriteWithRetriesAsync(Work work, DateTimeOffset started)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                await work.Write(CancellationToken.None);
                return;
            }
            catch (Exception) when (!_queue.Reader.Completion.IsCompleted
                                    && _time.GetUtcNow() + delay - started <= _options.Value.RetryFor)
            {
                await Task.Delay(delay, _time);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));
            }
        }
    }

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(10);

    // How long the write in progress has taken, when that is longer than predictions wait.
    private TimeSpan? Late(TimeSpan wait) =>
        Interlocked.Read(ref _writingSinceTicks) is var ticks and > 0
        && _time.GetUtcNow() - new DateTimeOffset(ticks, TimeSpan.Zero) is var running && running > wait
            ? running
            : null;

    // A full queue under load loses thousands of records a second (the bench's locked database: 56,000 lines in 20 s);
    // one error line a second, counting the ones it stands for, says as much, and the metric counts every one.
    private void Lost(Work work, Exception? exception, string reason)
    {
        Interlocked.Increment(ref _droppedTotal);
        var now = _time.GetUtcNow().UtcTicks;
        Interlocked.Exchange(ref _lastLossTicks, now);
        _dropped.Add(1, new("kind", work.Kind), new("reason", reason));
        var logged = Interlocked.Read(ref _lastLossLogTicks);
        if (logged > 0 && now - logged < LossLogInterval.Ticks
            || Interlocked.CompareExchange(ref _lastLossLogTicks, now, logged) != logged)
        {
            Interlocked.Increment(ref _unloggedLosses);
            return;
        }

        LogLost(exception, work.Kind, work.PredictionId, reason, Interlocked.Exchange(ref _unloggedLosses, 0));
    }

    private static readonly TimeSpan LossLogInterval = TimeSpan.FromSeconds(1);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The {Kind} record of prediction {PredictionId} was not written: {Reason} ({Unlogged} more lost since the last line like this)")]
    private partial void LogLost(Exception? exception, string kind, string predictionId, string reason, long unlogged);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopped with {Count} records not written; they are lost")]
    private partial void LogNotDrained(long count);

    private sealed record Work(string Kind, string PredictionId, Func<CancellationToken, Task> Write)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How recording stands (<see cref="RecordWriter.Status"/>).</summary>
/// <param name="Pending">Records queued or being written.</param>
/// <param name="Late">How long the write in progress has taken, when longer than predictions wait for it; null otherwise.</param>
/// <param name="Dropped">Records never written since the process started.</param>
/// <param name="LastLoss">When the last of those was lost.</param>
/// <param name="RecentLoss">Whether that was within <see cref="RecordingOptions.DegradedAfterLoss"/>.</param>
public sealed record RecordingStatus(long Pending, TimeSpan? Late, long Dropped, DateTimeOffset? LastLoss, bool RecentLoss)
{
    /// <summary>Writes are late or records were lost lately: predictions go on, but what they leave behind is at risk.</summary>
    public bool Degraded => Late is not null || RecentLoss;
}
