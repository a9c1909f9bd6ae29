using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Caching;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Usage;

/// <summary>
/// Learns, per spec, how this deployment's users move between operations, from the histories their requests carry:
/// each request adds its newest step (the last call, after the up to three calls before it), so a client that resends
/// its growing history counts every step once. Three layers are kept: the spec's crowd, the caller's tenant and the
/// user (when the request names them), each as counts of operations after contexts of up to three operations (see
/// <see cref="UsageCounts"/>), fading with <see cref="UsageOptions.HalfLife"/>. They feed the ranker's usage features
/// and the shortlist; a spec nobody has used yet has none, which the ranker is trained for. Layers are cached in memory
/// and reloaded from the store after <see cref="UsageOptions.RefreshInterval"/>, so instances sharing a store see each
/// other's steps.
/// </summary>
public sealed partial class UsageLearning(IUsageStore store, IOptions<UsageOptions> options, TimeProvider time,
    ILogger<UsageLearning> logger)
{
    private readonly LruCache<string, Layer> _layers = new(Math.Max(1, options.Value.CachedLayers), StringComparer.Ordinal);

    /// <summary>What is known of the spec's usage, with the tenant's and user's own layers when they are named and
    /// personal layers are on; null when learning is off or the store cannot be read.</summary>
    public async Task<LearnedUsage?> ForAsync(EndpointCatalog catalog, string? tenant, string? userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return null;
        }

        try
        {
            var crowd = await LayerAsync(catalog, UsageScopes.Crowd, cancellationToken);
            return settings.PersonalLayers
                ? new LearnedUsage(crowd,
                    UsageScopes.Tenant(tenant) is { } t ? await LayerAsync(catalog, t, cancellationToken) : null,
                    UsageScopes.User(tenant, userId) is { } u ? await LayerAsync(catalog, u, cancellationToken) : null)
                : new LearnedUsage(crowd);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A prediction without usage is still a good one; the store's trouble is logged, not passed on.
            LogLoadFailed(logger, ex, catalog.ContentHash);
            return null;
        }
    }

    /// <summary>Counts the request's newest step, in memory and in the store, in every layer it was predicted with.</summary>
    public async Task RecordAsync(PredictionContext context, string? tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Usage is not { } usage || context.History is not [.., { Operation: { } next }])
        {
            return;
        }

        var before = context.History.Take(context.History.Count - 1).ToList();
        var now = time.GetUtcNow();
        usage.Record(before, next.Index, now);
        var contextOps = UsageContext.Before(before);
        var scopes = new List<string> { UsageScopes.Crowd };
        if (usage.Tenant is not null && UsageScopes.Tenant(tenant) is { } t)
        {
            scopes.Add(t);
        }

        if (usage.User is not null && UsageScopes.User(tenant, context.UserId) is { } u)
        {
            scopes.Add(u);
        }

        var increments = scopes
            .SelectMany(scope => Enumerable.Range(0, contextOps.Count + 1)
                .Select(order => new UsageIncrement(scope, UsageScopes.ContextText(context.Catalog, contextOps, order), next.Key, now)))
            .ToList();
        try
        {
            await store.AddAsync(context.Catalog.ContentHash, increments, options.Value.HalfLifeOrNull, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordFailed(logger, ex, context.PredictionId);
        }
    }

    /// <summary>Every spec with learned usage, most steps first.</summary>
    public Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    /// <summary>What the crowd of one spec was seen to call after each single call (or a session's start), most
    /// frequent first, at most <paramref name="top"/>.</summary>
    public async Task<IReadOnlyList<UsageCount>> StepsAsync(string specHash, int top, CancellationToken cancellationToken) =>
        [.. (await store.LoadAsync(specHash, UsageScopes.Crowd, cancellationToken))
            .Where(r => r.Context.Length > 0 && !r.Context.Contains('\n', StringComparison.Ordinal))
            .Select(r => new UsageCount(r.Context == UsageScopes.StartText ? "" : r.Context, r.Next, Math.Round(r.Weight, 3)))
            .OrderByDescending(c => c.Count).ThenBy(c => c.From, StringComparer.Ordinal).ThenBy(c => c.To, StringComparer.Ordinal)
            .Take(top)];

    /// <summary>Forgets the spec's usage in the store and in memory (after a poisoned stretch of traffic, or on
    /// request); its predictions start again from none. Says whether there was anything to forget. Another instance
    /// forgets its cached layers at its next refresh.</summary>
    public Task<bool> ForgetAsync(string specHash, CancellationToken cancellationToken)
    {
        _layers.Clear(key => key.StartsWith(specHash + "|", StringComparison.Ordinal));
        return store.ForgetAsync(specHash, cancellationToken);
    }

    private async Task<UsageCounts> LayerAsync(EndpointCatalog catalog, string scope, CancellationToken cancellationToken)
    {
        var key = catalog.ContentHash + "|" + scope;
        var now = time.GetUtcNow();
        var refresh = options.Value.RefreshInterval;
        if (_layers.TryGet(key, out var cached) && (refresh <= TimeSpan.Zero || now - cached.LoadedAt < refresh))
        {
            return cached.Counts;
        }

        var loaded = new Layer(Counts(catalog, await store.LoadAsync(catalog.ContentHash, scope, cancellationToken), options.Value.HalfLifeOrNull), now);
        _layers.Set(key, loaded);
        return loaded.Counts;
    }

    /// <summary>A layer as a store kept it; counts naming an operation the spec no longer has are skipped.</summary>
    internal static UsageCounts Counts(EndpointCatalog catalog, IEnumerable<UsageRow> rows, TimeSpan? halfLife)
    {
        var indexes = catalog.Operations.ToDictionary(o => o.Key, o => o.Index, StringComparer.Ordinal);
        var counts = new UsageCounts(halfLife);
        foreach (var row in rows)
        {
            if (UsageScopes.ParseContext(row.Context, indexes) is { } before && indexes.TryGetValue(row.Next, out var next) && row.Weight > 0)
            {
                counts.Load(UsageContext.Of(before, before.Length), next, row.Weight, row.UpdatedAt);
            }
        }

        return counts;
    }

    private sealed record Layer(UsageCounts Counts, DateTimeOffset LoadedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage of spec {SpecHash} could not be loaded; predicting without it.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string specHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The newest step of prediction {PredictionId} could not be stored; it counts until the process ends.")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string predictionId);
}
