namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Parsed catalogs by content hash, least recently used evicted first. Concurrent requests for the same document
/// share one parse; a failed or refused parse forgets itself, so it never stands in for the document: the next request
/// parses again (and is refused again, within the same limits).
/// </summary>
/// <param name="parse">Parses a document's content under its hash, observing the token of the request that started it.</param>
internal sealed class CatalogCache(int capacity, Func<string, string, CancellationToken, EndpointCatalog> parse)
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

    /// <summary>The catalog of a document, parsing it if no other request has. A parse started by a request that went
    /// away stops, and the requests that shared it start their own.</summary>
    public async Task<EndpointCatalog> GetOrAddAsync(string hash, Func<Task<string>> loadContent, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = EntryFor(hash, loadContent, cancellationToken);
            try
            {
                return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The parse belonged to a request that went away (and has forgotten itself); this one still wants it.
            }
        }
    }

    private Lazy<Task<EndpointCatalog>> EntryFor(string hash, Func<Task<string>> loadContent, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(hash, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Catalog;
            }

            Lazy<Task<EndpointCatalog>>? entry = null;
            entry = new Lazy<Task<EndpointCatalog>>(async () =>
            {
                try
                {
                    return parse(await loadContent().ConfigureAwait(false), hash, cancellationToken);
                }
                catch
                {
                    Forget(hash, entry!);
                    throw;
                }
            });
            _entries[hash] = _recency.AddFirst((hash, entry));
            while (_entries.Count > Math.Max(1, capacity))
            {
                _entries.Remove(_recency.Last!.Value.Hash);
                _recency.RemoveLast();
            }

            return entry;
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
