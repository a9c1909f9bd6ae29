using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Specs;

/// <summary>A catalog and whether it came without downloading or parsing anything.</summary>
public sealed record CatalogResult(EndpointCatalog Catalog, bool FromCache);

/// <summary>
/// Turns a request's spec reference into a catalog. Downloads are cached durably by URL for
/// <see cref="SpecOptions.CacheTtl"/> (a stale copy is served when a refresh fails), concurrent requests for one URL
/// download it once, and parsed catalogs are shared by content hash whatever way the document arrived.
/// </summary>
public sealed class SpecProvider
{
    // After a failed refresh the stale copy is served; wait this long before trying the origin again.
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);

    private readonly SpecFetcher _fetcher;
    private readonly ISpecDocumentStore _store;
    private readonly SpecOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SpecProvider> _logger;
    private readonly CatalogCache _catalogs;
    private readonly ConcurrentDictionary<string, (string Hash, DateTimeOffset FreshUntil)> _urls = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _downloads = new();
    private readonly ConcurrentDictionary<string, (DateTime Modified, long Length, string Hash)> _files = new();
    private long _hits;
    private long _misses;

    public SpecProvider(SpecFetcher fetcher, ISpecDocumentStore store, IOptions<SpecOptions> options, TimeProvider time,
        ILogger<SpecProvider> logger)
    {
        _fetcher = fetcher;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _catalogs = new CatalogCache(_options.CatalogCacheCapacity, ParseWithinBudget);
    }

    /// <summary>Requests answered without a download or a parse, and those that needed one.</summary>
    public (long Hits, long Misses) CacheCounts => (Interlocked.Read(ref _hits), Interlocked.Read(ref _misses));

    /// <summary>The parsed catalog of a document by its content hash, when it is still in memory; null otherwise. Never
    /// fetches or parses: for work after a prediction (feedback) that can do without the spec.</summary>
    public EndpointCatalog? Cached(string contentHash) => _catalogs.Find(contentHash);

    /// <exception cref="SpecException">The spec cannot be obtained or is not an OpenAPI document.</exception>
    public async Task<CatalogResult> GetAsync(SpecSource source, CancellationToken cancellationToken)
    {
        var result = source.Kind switch
        {
            SpecSourceKind.Inline => await FromInlineAsync(source.Document!, cancellationToken),
            SpecSourceKind.File => await FromFileAsync(source.Value, cancellationToken),
            _ => await FromUrlAsync(source.Value, cancellationToken),
        };
        Interlocked.Increment(ref result.FromCache ? ref _hits : ref _misses);
        return result;
    }

    // Sent with every request that uses it: found by the hash of its bytes, decoded only to be parsed.
    private async Task<CatalogResult> FromInlineAsync(InlineSpec document, CancellationToken cancellationToken)
    {
        if (document.Utf8.Length > _options.MaxDocumentBytes)
        {
            throw InlineTooLarge();
        }

        return await FromDocumentAsync(document.ContentHash, () => Task.FromResult(document.Text()), cancellationToken);
    }

    private async Task<CatalogResult> FromContentAsync(string content, CancellationToken cancellationToken) =>
        content.Length > _options.MaxDocumentBytes
            ? throw InlineTooLarge()
            : await FromDocumentAsync(OpenApiCatalogParser.HashOf(content), () => Task.FromResult(content), cancellationToken);

    private async Task<CatalogResult> FromDocumentAsync(string hash, Func<Task<string>> content, CancellationToken cancellationToken)
    {
        var cached = _catalogs.Contains(hash);
        return new CatalogResult(await _catalogs.GetOrAddAsync(hash, content, cancellationToken), cached);
    }

    private SpecException InlineTooLarge() =>
        new($"The inline spec is larger than the limit of {_options.MaxDocumentBytes / (1024 * 1024)} MB.");

    // The budget is wall-clock time read from the TimeProvider; the request's token stops the parse when the client
    // goes away. A parse past its budget is a refusal of the spec, not a failure of the service: the timer stops one
    // that runs on, and the clock read after it refuses one that finished past its budget before the timer fired
    // (timers are late on a busy machine), so the outcome does not depend on the timer's luck.
    private EndpointCatalog ParseWithinBudget(string content, string hash, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var budget = new CancellationTokenSource(_options.ParseBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            var catalog = OpenApiCatalogParser.Parse(content, _options, hash, linked.Token);
            return _time.GetElapsedTime(started) <= _options.ParseBudget ? catalog : throw OverBudget();
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw OverBudget();
        }
    }

    private SpecException OverBudget() => new($"Parsing the spec took longer than its budget of {_options.ParseBudget.TotalSeconds:0.###} s "
                                              + "(Specs:ParseBudget); send a smaller spec.");

    private async Task<CatalogResult> FromFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(ResolveInsideFolders(path));
        if (!file.Exists)
        {
            throw new SpecException($"The spec file '{path}' does not exist.");
        }

        if (file.Length > _options.MaxDocumentBytes)
        {
            throw new SpecException($"The spec file '{path}' is larger than the limit of {_options.MaxDocumentBytes / (1024 * 1024)} MB.");
        }

        if (_files.TryGetValue(file.FullName, out var known) && known.Modified == file.LastWriteTimeUtc
            && known.Length == file.Length && _catalogs.Contains(known.Hash))
        {
            return new CatalogResult(await _catalogs.GetOrAddAsync(known.Hash, () => File.ReadAllTextAsync(file.FullName, cancellationToken), cancellationToken), true);
        }

        var content = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        var result = await FromContentAsync(content, cancellationToken);
        _files[file.FullName] = (file.LastWriteTimeUtc, file.Length, result.Catalog.ContentHash);
        return result;
    }

    private string ResolveInsideFolders(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var folder in _options.Folders)
        {
            var root = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if (full.StartsWith(root, StringComparison.Ordinal))
            {
                return full;
            }
        }

        // The folders are not named: they are the server's paths, none of the caller's business.
        throw new SpecException(
            $"The spec file '{path}' is outside the folders this service reads specs from (Specs:Folders); send the spec inline or by URL.");
    }

    private async Task<CatalogResult> FromUrlAsync(string url, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_urls.TryGetValue(url, out var known) && known.FreshUntil > now && _catalogs.Contains(known.Hash))
        {
            return new CatalogResult(await _catalogs.GetOrAddAsync(known.Hash, () => ReadStoredAsync(url), cancellationToken), true);
        }

        var stored = await _store.FindAsync(url, cancellationToken);
        if (stored is not null && stored.FetchedAt + _options.CacheTtl > now)
        {
            _urls[url] = (stored.ContentHash, stored.FetchedAt + _options.CacheTtl);
            var wasParsed = _catalogs.Contains(stored.ContentHash);
            return new CatalogResult(await _catalogs.GetOrAddAsync(stored.ContentHash, () => ReadStoredAsync(url), cancellationToken), wasParsed);
        }

        try
        {
            var hash = await DownloadOnceAsync(url, cancellationToken);
            return new CatalogResult(await _catalogs.GetOrAddAsync(hash, () => ReadStoredAsync(url), cancellationToken), false);
        }
        catch (SpecException ex) when (stored is not null)
        {
            _logger.LogWarning("Refreshing the spec {Url} failed ({Reason}); serving the copy fetched at {FetchedAt}.",
                url, ex.Message, stored.FetchedAt);
            _urls[url] = (stored.ContentHash, now + RetryAfterFailure);
            return new CatalogResult(await _catalogs.GetOrAddAsync(stored.ContentHash, () => ReadStoredAsync(url), cancellationToken), true);
        }
    }

    // Concurrent requests for one URL share a single download; the document is parsed before it is stored, so
    // a broken or non-spec reply never replaces a good cached copy.
    private async Task<string> DownloadOnceAsync(string url, CancellationToken cancellationToken)
    {
        var download = _downloads.GetOrAdd(url, key => new Lazy<Task<string>>(async () =>
        {
            try
            {
                var content = await _fetcher.FetchAsync(url, CancellationToken.None);
                // Shared by every request waiting for this URL, so no one request's departure stops it; the budget does.
                var catalog = await FromContentAsync(content, CancellationToken.None);
                var fetchedAt = _time.GetUtcNow();
                await _store.SaveAsync(new StoredSpecDocument(url, catalog.Catalog.ContentHash, fetchedAt, content), CancellationToken.None);
                _urls[url] = (catalog.Catalog.ContentHash, fetchedAt + _options.CacheTtl);
                return catalog.Catalog.ContentHash;
            }
            finally
            {
                _downloads.TryRemove(url, out _);
            }
        }));
        return await download.Value.WaitAsync(cancellationToken);
    }

    private async Task<string> ReadStoredAsync(string url) =>
        await _store.ReadContentAsync(url, CancellationToken.None)
        ?? throw new SpecException($"The cached copy of {url} disappeared; retry the request.");
}
