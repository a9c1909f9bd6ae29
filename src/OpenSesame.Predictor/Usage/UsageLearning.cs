using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Caching;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Usage;

/// <summary>
/// Learns, per spec, how this deployment's users move between operations, from the histories their requests carry:
/// each request adds its newest step (the last call, after the up to three calls before it), so a client that resends
/// its growing history counts every step once. Steps are kept per caller (<see cref="UsageCaller"/>) and per user, as
/// counts of operations after contexts of up to three operations (see <see cref="UsageCounts"/>), fading with
/// <see cref="UsageOptions.HalfLife"/>. A caller predicts with the crowd as it sees it: its own steps and what
/// <see cref="UsageOptions.MinimumCallers"/> lets through of the others' (<see cref="SharedUsage"/>), with its tenant's
/// and user's own layers on top. They feed the ranker's usage features and the shortlist; a spec nobody has used yet
/// has none, which the ranker is trained for. Layers are cached in memory and reloaded from the store after
/// <see cref="UsageOptions.RefreshInterval"/>, so instances sharing a store see each other's steps; sooner, within
/// <see cref="UsageOptions.ReloadAfterChange"/>, when an <see cref="IUsageChangeFeed"/> tells them a spec changed.
/// </summary>
public sealed partial class UsageLearning(IUsageStore store, RecordWriter recording, IOptions<UsageOptions> options,
    TimeProvider time, ILogger<UsageLearning> logger, IUsageChangeFeed? changes = null)
{
    private readonly LruCache<string, CallerLayers> _callers = new(Math.Max(1, options.Value.CachedLayers), StringComparer.Ordinal);
    private readonly LruCache<string, Layer> _users = new(Math.Max(1, options.Value.CachedLayers), StringComparer.Ordinal);
    private readonly LruCache<string, SharedUsage> _shared = new(Math.Max(1, options.Value.CachedLayers), StringComparer.Ordinal);

    /// <summary>What is known of the spec's usage as <paramref name="caller"/> sees it, with the tenant's and user's own
    /// layers when they are named and personal layers are on; null when learning is off or the store cannot be read.</summary>
    public async Task<LearnedUsage?> ForAsync(EndpointCatalog catalog, UsageCaller caller, string? userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(caller);
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return null;
        }

        try
        {
            var layers = await CallerAsync(catalog, UsageScopes.Caller(caller), cancellationToken);
            return settings.PersonalLayers
                ? new LearnedUsage(layers.Crowd,
                    caller.Tenant is { Length: > 0 } ? layers.Own : null,
                    UsageScopes.User(caller.Tenant, userId) is { } u ? await UserAsync(catalog, u, cancellationToken) : null)
                : new LearnedUsage(layers.Crowd);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A prediction without usage is still a good one; the store's trouble is logged, not passed on.
            LogLoadFailed(logger, ex, catalog.ContentHash);
            return null;
        }
    }

    /// <summary>Counts the request's newest step, in memory in every layer it was predicted with, and in the store
    /// in the caller's layer and the user's.</summary>
    public async Task RecordAsync(PredictionContext context, UsageCaller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(caller);
        if (context.Usage is not { } usage || context.History is not [.., { Operation: { } next }])
        {
            return;
        }

        var before = context.History.Take(context.History.Count - 1).ToList();
        var now = time.GetUtcNow();
        // The prompt that comes with the newest step is taken for the one it was made with: a session's prompt says
        // what the whole session is for.
        IReadOnlyList<string> words = options.Value.PromptWords ? context.UsageWords : [];
        usage.Record(before, next.Index, now, words);
        var contextOps = UsageContext.Before(before);
        var callerScope = UsageScopes.Caller(caller);
        var scopes = new List<string> { callerScope };
        if (usage.User is not null && UsageScopes.User(caller.Tenant, context.UserId) is { } u)
        {
            scopes.Add(u);
        }

        var increments = scopes
            .SelectMany(scope => Enumerable.Range(0, contextOps.Count + 1)
                .Select(order => new UsageIncrement(scope, UsageScopes.ContextText(context.Catalog, contextOps, order), next.Key, now)))
            // Words are learned for the crowd, which callers' layers make.
            .Concat(words.Select(word => new UsageIncrement(callerScope, UsageScopes.WordContextText(context.Catalog, word, contextOps[^1]), next.Key, now)))
            .ToList();
        // In memory it counts already; the store's copy is for restarts and other instances.
        var halfLife = options.Value.HalfLifeOrNull;
        await recording.WriteAsync("usage", context.PredictionId, async ct =>
        {
            await store.AddAsync(context.Catalog.ContentHash, increments, halfLife, ct);
            changes?.Publish(context.Catalog.ContentHash);
        });
    }

    /// <summary>Every spec with learned usage, most steps first.</summary>
    public Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    /// <summary>What the callers of one spec were seen to call after each single call (or a session's start), all
    /// callers summed and faded to now, most frequent first, at most <paramref name="top"/>.</summary>
    public async Task<IReadOnlyList<UsageCount>> StepsAsync(string specHash, int top, CancellationToken cancellationToken) =>
        [.. (await SharedUsage.LoadAsync(store.LoadCallersAsync(specHash, cancellationToken), time.GetUtcNow(), options.Value.HalfLifeOrNull, cancellationToken))
            .Totals()
            .Where(r => r.Context.Length > 0 && !r.Context.Contains('\n', StringComparison.Ordinal))
            .Select(r => new UsageCount(r.Context == UsageScopes.StartText ? "" : r.Context, r.Next, Math.Round(r.Weight, 3)))
            .OrderByDescending(c => c.Count).ThenBy(c => c.From, StringComparer.Ordinal).ThenBy(c => c.To, StringComparer.Ordinal)
            .Take(top)];

    /// <summary>The callers who made the most of one spec's steps, so an operator can see one that outweighs the rest.</summary>
    public Task<IReadOnlyList<UsageContributor>> ContributorsAsync(string specHash, int top, CancellationToken cancellationToken) =>
        store.ContributorsAsync(specHash, top, cancellationToken);

    /// <summary>Forgets the spec's usage in the store and in memory (after a poisoned stretch of traffic, or on
    /// request); its predictions start again from none. Says whether there was anything to forget. Another instance
    /// forgets its cached layers on this one's change notice, or at its next refresh without a feed.</summary>
    public async Task<bool> ForgetAsync(string specHash, CancellationToken cancellationToken)
    {
        _callers.Clear(key => key.StartsWith(specHash + "|", StringComparison.Ordinal));
        _users.Clear(key => key.StartsWith(specHash + "|", StringComparison.Ordinal));
        _shared.Clear(key => key == specHash);
        var forgotten = await store.ForgetAsync(specHash, cancellationToken);
        changes?.Publish(specHash);
        return forgotten;
    }

    private bool Fresh(string specHash, DateTimeOffset loadedAt)
    {
        var settings = options.Value;
        var age = time.GetUtcNow() - loadedAt;
        if (changes?.LastChange(specHash) is { } changed && changed >= loadedAt && age >= settings.ReloadAfterChange)
        {
            return false;
        }

        return settings.RefreshInterval <= TimeSpan.Zero || age < settings.RefreshInterval;
    }

    private async Task<CallerLayers> CallerAsync(EndpointCatalog catalog, string scope, CancellationToken cancellationToken)
    {
        var key = catalog.ContentHash + "|" + scope;
        if (_callers.TryGet(key, out var cached) && Fresh(catalog.ContentHash, cached.LoadedAt))
        {
            return cached;
        }

        // Before reading: a change noticed while the read runs makes the layer stale, not missed.
        var loadedAt = time.GetUtcNow();
        var halfLife = options.Value.HalfLifeOrNull;
        var shared = await SharedAsync(catalog.ContentHash, cancellationToken);
        var own = await store.LoadAsync(catalog.ContentHash, scope, cancellationToken);
        var mine = own.ToDictionary(r => (r.Context, r.Next), r => SharedUsage.Faded(r, shared.At, halfLife));
        var words = options.Value.PromptWords;
        var loaded = new CallerLayers(
            Counts(catalog, own.Concat(shared.For(scope, mine, options.Value.MinimumCallers)), halfLife, words),
            Counts(catalog, own, halfLife, words),
            loadedAt);
        _callers.Set(key, loaded);
        return loaded;
    }

    private async Task<SharedUsage> SharedAsync(string specHash, CancellationToken cancellationToken)
    {
        if (_shared.TryGet(specHash, out var cached) && Fresh(specHash, cached.At))
        {
            return cached;
        }

        var loaded = await SharedUsage.LoadAsync(store.LoadCallersAsync(specHash, cancellationToken), time.GetUtcNow(),
            options.Value.HalfLifeOrNull, cancellationToken);
        _shared.Set(specHash, loaded);
        return loaded;
    }

    private async Task<UsageCounts> UserAsync(EndpointCatalog catalog, string scope, CancellationToken cancellationToken)
    {
        var key = catalog.ContentHash + "|" + scope;
        if (_users.TryGet(key, out var cached) && Fresh(catalog.ContentHash, cached.LoadedAt))
        {
            return cached.Counts;
        }

        var loadedAt = time.GetUtcNow();
        // A user's layer holds no words.
        var loaded = new Layer(Counts(catalog, await store.LoadAsync(catalog.ContentHash, scope, cancellationToken), options.Value.HalfLifeOrNull, words: false),
            loadedAt);
        _users.Set(key, loaded);
        return loaded.Counts;
    }

    /// <summary>A layer as a store kept it; counts naming an operation the spec no longer has are skipped, and the
    /// prompts' words unless <paramref name="words"/>.</summary>
    internal static UsageCounts Counts(EndpointCatalog catalog, IEnumerable<UsageRow> rows, TimeSpan? halfLife, bool words)
    {
        var indexes = catalog.Operations.ToDictionary(o => o.Key, o => o.Index, StringComparer.Ordinal);
        var counts = new UsageCounts(halfLife);
        foreach (var row in rows)
        {
            if (!indexes.TryGetValue(row.Next, out var next) || row.Weight <= 0)
            {
                continue;
            }

            if (UsageScopes.ParseContext(row.Context, indexes) is { } before)
            {
                counts.Load(UsageContext.Of(before, before.Length), next, row.Weight, row.UpdatedAt);
            }
            else if (words && UsageScopes.ParseWordContext(row.Context, indexes) is var (word, last))
            {
                counts.LoadWord(word, last, next, row.Weight, row.UpdatedAt);
            }
        }

        return counts;
    }

    private sealed record Layer(UsageCounts Counts, DateTimeOffset LoadedAt);

    /// <summary>A caller's view of the crowd (its own steps and the others' it may see) and its own steps alone.</summary>
    private sealed record CallerLayers(UsageCounts Crowd, UsageCounts Own, DateTimeOffset LoadedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage of spec {SpecHash} could not be loaded; predicting without it.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string specHash);
}
