using System.Collections.Concurrent;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Ranking;

/// <summary>
/// How the users of one spec moved between its operations: counts of (from, to) by operation index, with
/// <see cref="Start"/> as the "from" of a session's first call. Operation pairs only: never values, never users.
/// </summary>
public sealed class UsageTransitions
{
    public const int Start = -1;

    private readonly ConcurrentDictionary<(int From, int To), int> _counts = new();
    private readonly ConcurrentDictionary<int, int> _totals = new();

    /// <summary>The counts a store kept for this spec, by operation key ("" for a session start); pairs naming an
    /// operation the spec no longer has are skipped.</summary>
    public static UsageTransitions From(EndpointCatalog catalog, IEnumerable<UsageCount> counts)
    {
        var indexes = catalog.Operations.ToDictionary(o => o.Key, o => o.Index, StringComparer.Ordinal);
        var usage = new UsageTransitions();
        foreach (var (from, to, count) in counts)
        {
            var fromIndex = from.Length == 0 ? Start : indexes.GetValueOrDefault(from, int.MinValue);
            if (fromIndex != int.MinValue && indexes.TryGetValue(to, out var toIndex) && count > 0)
            {
                usage.Record(fromIndex, toIndex, count);
            }
        }

        return usage;
    }

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

/// <summary>How often one call (by operation key; "" for a session start) was followed by another.</summary>
public sealed record UsageCount(string From, string To, int Count);
