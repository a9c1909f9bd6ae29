namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Parsed catalogs by content hash, least recently used evicted first. Concurrent requests for the same document
/// share one parse; a failed parse is forgotten so the next request can try again.
/// </summary>
internal sealed class CatalogCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Hash, Lazy<Task<EndpointCatalog>> Catalog)>> _entries = [];
    private readonly LinkedList<(string Hash, Lazy<Task<EndpointCatalog>> Catalog)> _recency = new();
    private readonly Lock _lock = new();

    public bool Contains(string hash)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(hash);
        }
    }

    /// <summary>The catalog of a document already parsed, without parsing or waiting: null when it is not in memory
    /// (never parsed, evicted, still parsing or failed).</summary>
    public EndpointCatalog? Find(string hash)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(hash, out var node) && node.Value.Catalog is { IsValueCreated: true, Value: { IsCompletedSuccessfully: true } parsed }
                ? parsed.Result
                : null;
        }
    }

    public async Task<EndpointCatalog> GetOrAddAsync(string hash, Func<Task<string>> loadContent)
    {
        Lazy<Task<EndpointCatalog>> entry;
        lock (_lock)
        {
            if (_entries.TryGetValue(hash, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                entry = node.Value.Catalog;
            }
            else
            {
                entry = new Lazy<Task<EndpointCatalog>>(async () =>
                    OpenApiCatalogParser.Parse(await loadContent().ConfigureAwait(false), hash));
                _entries[hash] = _recency.AddFirst((hash, entry));
                while (_entries.Count > Math.Max(1, capacity))
                {
                    _entries.Remove(_recency.Last!.Value.Hash);
                    _recency.RemoveLast();
                }
            }
        }

        try
        {
            return await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            Forget(hash, entry);
            throw;
        }
    }

    private void Forget(string hash, Lazy<Task<EndpointCatalog>> entry)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(hash, out var node) && ReferenceEquals(node.Value.Catalog, entry))
            {
                _entries.Remove(hash);
                _recency.Remove(node);
            }
        }
    }
}
