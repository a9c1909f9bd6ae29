
namespace OpenSesame.Predictor.Usage;

/// <summary>
/// Where the usage learned from requests survives restarts and is shared between instances: per spec content hash and
/// layer (<see cref="UsageScopes"/>), the faded count of each operation after each context of up to three operations.
/// Only operation keys ("METHOD /template") and words that the spec's own operations use (a prompt's words, see
/// <see cref="Context.LearnedUsage.WordsOf"/>) are stored; a layer's owner only as a digest.
/// </summary>
public interface IUsageStore
{
    /// <summary>Every count of one layer of a spec.</summary>
    Task<IReadOnlyList<UsageRow>> LoadAsync(string specHash, string scope, CancellationToken cancellationToken);

    /// <summary>Every count of every caller's layer of a spec (<see cref="UsageScopes.IsCaller"/>), with its layer.</summary>
    IAsyncEnumerable<CallerUsageRow> LoadCallersAsync(string specHash, CancellationToken cancellationToken);

    /// <summary>The callers who made the most of a spec's steps (weights as of their last update), most first, at most
    /// <paramref name="top"/>.</summary>
    Task<IReadOnlyList<UsageContributor>> ContributorsAsync(string specHash, int top, CancellationToken cancellationToken);

    /// <summary>Adds the counts of one step, all or none: each row's stored weight first fades by
    /// <paramref name="halfLife"/> (null: never) from its last update to the increment's time.</summary>
    Task AddAsync(string specHash, IReadOnlyList<UsageIncrement> increments, TimeSpan? halfLife, CancellationToken cancellationToken);

    /// <summary>Every spec with learned usage, most steps first.</summary>
    Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes what was learned of the spec, every layer; says whether there was anything.</summary>
    Task<bool> ForgetAsync(string specHash, CancellationToken cancellationToken);
}

/// <summary>A spec's learned usage in brief: how many steps were counted (faded as of their last update) and over how
/// many distinct pairs of operations, over all its callers.</summary>
public sealed record UsageSpec(string SpecHash, double Steps, int Pairs);

/// <summary>One stored count: <paramref name="Next"/> after <paramref name="Context"/> (see
/// <see cref="UsageScopes.ContextText"/>), <paramref name="Weight"/> as of <paramref name="UpdatedAt"/>.</summary>
public sealed record UsageRow(string Context, string Next, double Weight, DateTimeOffset UpdatedAt);

/// <summary>A stored count of the layer <paramref name="Scope"/>.</summary>
public sealed record CallerUsageRow(string Scope, UsageRow Row);

/// <summary>One caller's part in a spec's usage: <paramref name="Caller"/> is its layer's name (a kind and a digest),
/// <paramref name="Steps"/> its steps, <paramref name="Share"/> their part of all callers' steps.</summary>
public sealed record UsageContributor(string Caller, double Steps, double Share);

/// <summary>One more call of <paramref name="Next"/> after <paramref name="Context"/> in layer <paramref name="Scope"/>.</summary>
public sealed record UsageIncrement(string Scope, string Context, string Next, DateTimeOffset At, double Weight = 1);

/// <summary>How often one call followed another (by operation key; "" for a session start, "?" for a call the spec
/// lacks), for operators.</summary>
public sealed record UsageCount(string From, string To, double Count);
