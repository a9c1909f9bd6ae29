using Microsoft.Extensions.Time.Testing;

namespace OpenSesame.Predictor.Tests.Candidates.Llm;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when a timer of a given length starts, so a test can move the clock
/// exactly when the code under test waits (a retry's delay, a timeout, a deadline) instead of sleeping and hoping it
/// waits by then. Every wait on a <see cref="TimeProvider"/> (<c>Task.Delay</c>, a <c>CancellationTokenSource</c>
/// with a delay, Polly's delays and timeouts) starts a timer through <see cref="CreateTimer"/>, or creates it idle and
/// starts it with <see cref="ITimer.Change"/>.
/// </summary>
internal sealed class WatchedTime() : FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero))
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _started = [];
    private readonly List<(TimeSpan DueTime, int Times, TaskCompletionSource Started)> _watches = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Watched(base.CreateTimer(callback, state, dueTime, period), this);
        Started(dueTime);
        return timer;
    }

    /// <summary>Completes once <paramref name="times"/> timers of exactly <paramref name="dueTime"/> have started, now or
    /// earlier; fails the test if they do not within a minute of real time.</summary>
    public Task StartedAsync(TimeSpan dueTime, int times = 1)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_started.Count(d => d == dueTime) >= times)
            {
                return Task.CompletedTask;
            }

            _watches.Add((dueTime, times, started));
        }

        return started.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>Declared after the predictor, so it is disposed first: moves the clock a day on, so that a call still
    /// waiting on this clock (a failed test's) ends, instead of the predictor's disposal waiting for it forever
    /// (Polly's pipeline registry waits for the calls in flight).</summary>
    public IDisposable UnwindWhenDisposed() => new Unwind(this);

    private void Started(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        lock (_gate)
        {
            _started.Add(dueTime);
            var count = _started.Count(d => d == dueTime);
            foreach (var watch in _watches.Where(w => w.DueTime == dueTime && w.Times <= count))
            {
                watch.Started.TrySetResult();
            }
        }
    }

    private sealed class Unwind(WatchedTime time) : IDisposable
    {
        public void Dispose() => time.Advance(TimeSpan.FromDays(1));
    }

    /// <summary>A timer made idle and started later (as Polly starts its timeouts) is watched when it starts.</summary>
    private sealed class Watched(ITimer timer, WatchedTime time) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = timer.Change(dueTime, period);
            time.Started(dueTime);
            return changed;
        }

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
