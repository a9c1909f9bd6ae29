namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>One call to a provider: who answered, what it cost in tokens, and how it ended.</summary>
public sealed record LlmUsage(string Provider, string Model, string Outcome, long? InputTokens, long? OutputTokens,
    long? CachedInputTokens, TimeSpan Elapsed, DateTimeOffset At);

/// <summary>
/// The most recent LLM calls, in memory. A first slice: the cost ledger, per-prediction cost metadata and metrics
/// will read from here or replace it.
/// </summary>
public sealed class LlmUsageLog
{
    private const int Capacity = 1000;
    private readonly Queue<LlmUsage> _entries = new();
    private readonly Lock _gate = new();

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
