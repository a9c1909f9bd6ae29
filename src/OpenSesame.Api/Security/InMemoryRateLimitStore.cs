using System.Collections.Concurrent;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Security;

/// <summary>The counts of one process. Windows that ended are swept once a minute at most, so memory holds only the
/// callers of the last window.</summary>
internal sealed class InMemoryRateLimitStore(TimeProvider time) : IRateLimitStore
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    /// <summary>Callers with a window, ended or not (ended ones wait for the next sweep).</summary>
    public int Count => _windows.Count;

    public ValueTask<RateLimitDecision> AcquireAsync(string partition, int permitLimit, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        SweepIfDue(now);

        // Refused requests count too, as INCR would; they do not lengthen the window.
        var current = _windows.AddOrUpdate(partition,
            static (_, state) => new Window(1, state.Now + state.Length),
            static (_, existing, state) => existing.Ends <= state.Now
                ? new Window(1, state.Now + state.Length)
                : existing with { Count = existing.Count + 1 },
            (Now: now, Length: window));
        return ValueTask.FromResult(new RateLimitDecision(
            current.Count <= permitLimit,
            (int)Math.Max(0, permitLimit - current.Count),
            current.Ends - now));
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var entry in _windows)
        {
            if (entry.Value.Ends <= now)
            {
                // Removes the entry only if no request renewed it meanwhile.
                _windows.TryRemove(entry);
            }
        }
    }

    private sealed record Window(long Count, DateTimeOffset Ends);
}
