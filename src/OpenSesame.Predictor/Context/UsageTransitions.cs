using System.Collections.Concurrent;

namespace OpenSesame.Predictor.Context;

/// <summary>
/// How the users of one spec moved between its operations: counts of (from, to) by operation index, with
/// <see cref="Start"/> as the "from" of a session's first call. Operation pairs only: never values, never users.
/// </summary>
public sealed class UsageTransitions
{
    public const int Start = -1;

    private readonly ConcurrentDictionary<(int From, int To), int> _counts = new();
    private readonly ConcurrentDictionary<int, int> _totals = new();

    /// <summary>Where the next call of this history is counted from: the last call's operation, <see cref="Start"/>
    /// for an empty history, null when the last call is no operation of the spec.</summary>
    public static int? StepFrom(IReadOnlyList<ResolvedEvent> history) =>
        history.Count == 0 ? Start : history[^1].Operation?.Index;

    public void Record(int from, int to, int times = 1)
    {
        _counts.AddOrUpdate((from, to), times, (_, count) => count + times);
        _totals.AddOrUpdate(from, times, (_, count) => count + times);
    }

    /// <summary>How often <paramref name="to"/> followed <paramref name="from"/>.</summary>
    public int Count(int from, int to) => _counts.GetValueOrDefault((from, to));

    /// <summary>How many calls followed <paramref name="from"/> in all.</summary>
    public int Total(int from) => _totals.GetValueOrDefault(from);
}
