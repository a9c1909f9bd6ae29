namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Every operation of one spec, with the indexes the pipeline builds over it. Immutable once built and shared by all
/// requests for the same document (cached by content hash), so each index is built once, on first use.
/// </summary>
public sealed class EndpointCatalog
{
    private readonly Dictionary<string, ApiOperation> _byKey;
    private readonly Lazy<LexicalIndex> _lexical;
    private readonly Lazy<DataFlowGraph> _dataFlow;

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
        _lexical = new Lazy<LexicalIndex>(() => new LexicalIndex(this));
        _dataFlow = new Lazy<DataFlowGraph>(() => new DataFlowGraph(this));
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

    /// <summary>BM25 over the operations' words: what a prompt's words point at.</summary>
    internal LexicalIndex Lexical => _lexical.Value;

    /// <summary>Which operations produce the ids others consume.</summary>
    public DataFlowGraph DataFlow => _dataFlow.Value;
}
