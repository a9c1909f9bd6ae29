
namespace OpenSesame.Predictor.Usage;

/// <summary>Where the usage learned from requests survives restarts: counts of operation pairs per spec content hash.</summary>
public interface IUsageStore
{
    Task<IReadOnlyList<UsageCount>> LoadAsync(string specHash, CancellationToken cancellationToken);

    /// <summary>Counts one more call of <paramref name="toKey"/> after <paramref name="fromKey"/> ("" for a session start).</summary>
    Task AddAsync(string specHash, string fromKey, string toKey, CancellationToken cancellationToken);

    /// <summary>Every spec with learned usage, most steps first.</summary>
    Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes what was learned of the spec; says whether there was anything.</summary>
    Task<bool> ForgetAsync(string specHash, CancellationToken cancellationToken);
}

/// <summary>A spec's learned usage in brief: how many steps were counted, over how many distinct operation pairs.</summary>
public sealed record UsageSpec(string SpecHash, long Steps, int Pairs);

/// <summary>How often one call (by operation key; "" for a session start) was followed by another.</summary>
public sealed record UsageCount(string From, string To, int Count);
