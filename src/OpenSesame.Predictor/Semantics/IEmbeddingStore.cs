namespace OpenSesame.Predictor.Semantics;

/// <summary>
/// Vectors of one set of texts (a spec's operations) as stored: a SHA-256 of the texts they embed, in order, and one
/// vector per text.
/// </summary>
public sealed record StoredEmbeddings(string TextsHash, IReadOnlyList<float[]> Vectors);

/// <summary>
/// The durable cache of operation embeddings, keyed by the spec's content hash and a version naming the model and the
/// text recipe, so that a restart loads a known spec's vectors instead of running the model over every operation.
/// </summary>
public interface IEmbeddingStore
{
    /// <summary>The vectors filed under this document and version, or null when there are none.</summary>
    /// <exception cref="InvalidDataException">A row exists but cannot be read back whole.</exception>
    Task<StoredEmbeddings?> FindAsync(string contentHash, string version, CancellationToken cancellationToken);

    /// <summary>Files the vectors under this document and version, replacing what was there.</summary>
    Task SaveAsync(string contentHash, string version, StoredEmbeddings embeddings, CancellationToken cancellationToken);
}
