using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Predictor.Storage;

/// <summary>Where the usage learned from requests survives restarts: counts of operation pairs per spec content hash.</summary>
public interface IUsageStore
{
    Task<IReadOnlyList<UsageCount>> LoadAsync(string specHash, CancellationToken cancellationToken);

    /// <summary>Counts one more call of <paramref name="toKey"/> after <paramref name="fromKey"/> ("" for a session start).</summary>
    Task AddAsync(string specHash, string fromKey, string toKey, CancellationToken cancellationToken);
}
