using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Caching;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Usage;

/// <summary>
/// Learns, per spec, how this deployment's users move between operations, from the histories their requests carry:
/// each request adds its newest step (the call before the last → the last call, or the session start → the first
/// call), so a client that resends its growing history counts every step once. Only operation pairs are kept. The
/// counts feed the ranker's usage features; a spec nobody has used yet has none, which the ranker is trained for.
/// </summary>
public sealed partial class UsageLearning(IUsageStore store, IOptions<UsageOptions> options, ILogger<UsageLearning> logger)
{
    private readonly LruCache<string, UsageTransitions> _specs = new(Math.Max(1, options.Value.CachedSpecs), StringComparer.Ordinal);

    /// <summary>What is known of the spec's usage; null when learning is off or the store cannot be read.</summary>
    public async Task<UsageTransitions?> ForAsync(EndpointCatalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (!options.Value.Enabled)
        {
            return null;
        }

        if (_specs.TryGet(catalog.ContentHash, out var known))
        {
            return known;
        }

        try
        {
            var loaded = Transitions(catalog, await store.LoadAsync(catalog.ContentHash, cancellationToken));
            return _specs.GetOrAdd(catalog.ContentHash, loaded);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A prediction without usage is still a good one; the store's trouble is logged, not passed on.
            LogLoadFailed(logger, ex, catalog.ContentHash);
            return null;
        }
    }

    /// <summary>Counts the request's newest step, in memory and in the store.</summary>
    public async Task RecordAsync(PredictionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Usage is not { } usage || NewestStep(context.History) is not var (from, to))
        {
            return;
        }

        usage.Record(from?.Index ?? UsageTransitions.Start, to.Index);
        try
        {
            await store.AddAsync(context.Catalog.ContentHash, from?.Key ?? "", to.Key, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordFailed(logger, ex, context.PredictionId);
        }
    }

    /// <summary>Every spec with learned usage, most steps first.</summary>
    public Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    /// <summary>What was learned of one spec, most frequent steps first, at most <paramref name="top"/>.</summary>
    public async Task<IReadOnlyList<UsageCount>> StepsAsync(string specHash, int top, CancellationToken cancellationToken) =>
        [.. (await store.LoadAsync(specHash, cancellationToken))
            .OrderByDescending(c => c.Count).ThenBy(c => c.From, StringComparer.Ordinal).ThenBy(c => c.To, StringComparer.Ordinal)
            .Take(top)];

    /// <summary>Forgets the spec's usage in the store and in memory (after a poisoned stretch of traffic, or on
    /// request); its predictions start again from none. Says whether there was anything to forget.</summary>
    public Task<bool> ForgetAsync(string specHash, CancellationToken cancellationToken)
    {
        _specs.Remove(specHash);
        return store.ForgetAsync(specHash, cancellationToken);
    }

    /// <summary>The counts a store kept for this spec, by operation key ("" for a session start); pairs naming an
    /// operation the spec no longer has are skipped.</summary>
    internal static UsageTransitions Transitions(EndpointCatalog catalog, IEnumerable<UsageCount> counts)
    {
        var indexes = catalog.Operations.ToDictionary(o => o.Key, o => o.Index, StringComparer.Ordinal);
        var usage = new UsageTransitions();
        foreach (var (from, to, count) in counts)
        {
            var fromIndex = from.Length == 0 ? UsageTransitions.Start : indexes.GetValueOrDefault(from, int.MinValue);
            if (fromIndex != int.MinValue && indexes.TryGetValue(to, out var toIndex) && count > 0)
            {
                usage.Record(fromIndex, toIndex, count);
            }
        }

        return usage;
    }

    /// <summary>The history's last step as operations: (null, first) for a one-call history; null when the history is
    /// empty or its last two calls are not both operations of the spec.</summary>
    public static (ApiOperation? From, ApiOperation To)? NewestStep(IReadOnlyList<ResolvedEvent> history) => history switch
    {
        [] => null,
        [{ Operation: { } first }] => (null, first),
        [.., { Operation: { } before }, { Operation: { } last }] => (before, last),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage of spec {SpecHash} could not be loaded; predicting without it.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string specHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The newest step of prediction {PredictionId} could not be stored; it counts until the process ends.")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string predictionId);
}
