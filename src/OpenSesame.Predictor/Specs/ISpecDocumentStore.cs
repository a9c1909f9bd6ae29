namespace OpenSesame.Predictor.Specs;

/// <summary>A downloaded spec as cached: its text, the hash that names its parsed catalog, and when it was fetched.</summary>
public sealed record StoredSpecDocument(string Url, string ContentHash, DateTimeOffset FetchedAt, string? Content);

/// <summary>The durable cache of downloaded spec documents, keyed by URL.</summary>
public interface ISpecDocumentStore
{
    /// <summary>The entry without its content (cheap), or null.</summary>
    Task<StoredSpecDocument?> FindAsync(string url, CancellationToken cancellationToken);

    Task<string?> ReadContentAsync(string url, CancellationToken cancellationToken);

    Task SaveAsync(StoredSpecDocument document, CancellationToken cancellationToken);
}
