namespace OpenSesame.Predictor.Routing;

/// <summary>One call to a provider: who answered, what it cost in tokens, and how it ended.</summary>
public sealed record LlmUsage(string Provider, string Model, string Outcome, long? InputTokens, long? OutputTokens,
    long? CachedInputTokens, TimeSpan Elapsed, DateTimeOffset At);

/// <summary>
/// The most recent LLM calls, in memory, and the response cache's hit count since the process started. The cost
/// ledger holds what was spent; this holds how the calls went (outcomes, latency), for tests and diagnostics.
/// </summary>
public sealed class LlmUsageLog
{
    private const int Capacity = 1000;
    private readonly Queue<LlmUsage> _entries = new();
    private readonly Lock _gate = new();
    private long _cacheLookups;
    private long _cacheHits;

    /// <summary>Questions looked up in the response cache.</summary>
    public long CacheLookups => Interlocked.Read(ref _cacheLookups);

    /// <summary>Questions the response cache answered.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>Hits per lookup, 0 before the first lookup.</summary>
    public double CacheHitRate => CacheLookups is var lookups and > 0 ? (double)CacheHits / lookups : 0;

    public void CacheLookup(bool hit)
    {
        Interlocked.Increment(ref _cacheLookups);
        if (hit)
        {
            Interlocked.Increment(ref _cacheHits);
        }
    }

    public void Record(LlmUsage usage)
    {
        lock (_gate)
        {
            _entries.Enqueue(usage);
            while (_entries.Count > Capacity)
            {
                _entries.Dequeue();
            }
        }
    }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<LlmUsage> Recent()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }
}
