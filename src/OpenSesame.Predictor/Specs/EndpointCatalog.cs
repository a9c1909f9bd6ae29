using System.Collections.Concurrent;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Every operation of one spec, with the indexes the pipeline builds over it. Immutable once built and shared by all
/// requests for the same document (cached by content hash), so derived indexes are built once, on first use.
/// </summary>
public sealed class EndpointCatalog
{
    private readonly Dictionary<string, ApiOperation> _byKey;
    private readonly ConcurrentDictionary<Type, Lazy<object>> _indexes = new();

    public EndpointCatalog(string title, string version, string contentHash, IReadOnlyList<ApiOperation> operations,
        IReadOnlyList<string> basePaths)
    {
        Title = title;
        Version = version;
        ContentHash = contentHash;
        Operations = operations;
        BasePaths = basePaths;
        _byKey = new Dictionary<string, ApiOperation>(StringComparer.OrdinalIgnoreCase);
        foreach (var operation in operations)
        {
            _byKey.TryAdd(operation.Key, operation);
        }

        Matcher = new PathTemplateMatcher(this);
    }

    public string Title { get; }
    public string Version { get; }

    /// <summary>SHA-256 of the raw document; the identity of this catalog in caches and model metadata.</summary>
    public string ContentHash { get; }

    public IReadOnlyList<ApiOperation> Operations { get; }

    /// <summary>Path prefixes of the spec's servers ("/v1", "/3"), which callers may or may not include in events.</summary>
    public IReadOnlyList<string> BasePaths { get; }

    public PathTemplateMatcher Matcher { get; }

    public ApiOperation? Find(string method, string pathTemplate) =>
        _byKey.GetValueOrDefault($"{method.ToUpperInvariant()} {pathTemplate}");

    /// <summary>
    /// An index derived from this catalog (lexical, semantic, ...), built once by <paramref name="build"/> and kept as
    /// long as the catalog lives. Stages own their index types; the catalog only holds them.
    /// </summary>
    public T GetIndex<T>(Func<EndpointCatalog, T> build)
        where T : class =>
        (T)_indexes.GetOrAdd(typeof(T), _ => new Lazy<object>(() => build(this))).Value;
}
