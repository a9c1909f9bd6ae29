using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>How a paging parameter advances to the next page.</summary>
internal enum PagingKind
{
    /// <summary>An opaque token the previous page handed out (pageToken, cursor, continue).</summary>
    Token,

    /// <summary>The last id the previous page showed (starting_after, after, marker).</summary>
    LastId,

    /// <summary>A page number, one more each time (page, pageNumber).</summary>
    Number,

    /// <summary>An item offset, a page size more each time (offset, startAt, skip).</summary>
    Offset,
}

internal sealed record PagingParameter(string Name, PagingKind Kind);

/// <summary>
/// Where a spec's resources sit relative to each other, by path template alone: the item read of a collection
/// (<c>/tasks</c> → <c>GET /tasks/{id}</c>), the read of the resource an update or action changes
/// (<c>POST /tasks/{id}/complete</c> → <c>GET /tasks/{id}</c>), and each list's paging parameter. Built once per
/// catalog and kept as long as the catalog lives.
/// </summary>
internal sealed partial class ResourceIndex
{
    private static readonly ConditionalWeakTable<EndpointCatalog, ResourceIndex> Cache = new();

    // Normalised names (lower case, letters and digits only, so "page[number]" is "pagenumber").
    private static readonly Dictionary<string, PagingKind> PagingNames = new(StringComparer.Ordinal)
    {
        ["pagetoken"] = PagingKind.Token,
        ["nextpagetoken"] = PagingKind.Token,
        ["cursor"] = PagingKind.Token,
        ["pagecursor"] = PagingKind.Token,
        ["nextcursor"] = PagingKind.Token,
        ["startcursor"] = PagingKind.Token,
        ["nexttoken"] = PagingKind.Token,
        ["paginationtoken"] = PagingKind.Token,
        ["continue"] = PagingKind.Token,
        ["continuationtoken"] = PagingKind.Token,
        ["nextpage"] = PagingKind.Token,
        ["startingafter"] = PagingKind.LastId,
        ["after"] = PagingKind.LastId,
        ["marker"] = PagingKind.LastId,
        ["startafter"] = PagingKind.LastId,
        ["afterid"] = PagingKind.LastId,
        ["page"] = PagingKind.Number,
        ["pagenumber"] = PagingKind.Number,
        ["pageno"] = PagingKind.Number,
        ["pagenum"] = PagingKind.Number,
        ["pageindex"] = PagingKind.Number,
        ["offset"] = PagingKind.Offset,
        ["startat"] = PagingKind.Offset,
        ["skip"] = PagingKind.Offset,
        ["startindex"] = PagingKind.Offset,
        ["start"] = PagingKind.Offset,
    };

    private static readonly HashSet<string> PageSizeNames = new(StringComparer.Ordinal)
    {
        "perpage", "limit", "pagesize", "maxresults", "size", "top", "pagelimit", "count",
    };

    private readonly EndpointCatalog _catalog;
    private readonly Dictionary<string, ApiOperation> _reads = new(StringComparer.Ordinal);
    private readonly Dictionary<int, PagingParameter?> _paging = [];
    private readonly Lock _lock = new();

    private ResourceIndex(EndpointCatalog catalog)
    {
        _catalog = catalog;
        foreach (var operation in catalog.Operations.Where(o => o.Method == "GET" && o.Path.EndsWithParameter))
        {
            _reads.TryAdd(Normalised(operation.PathTemplate), operation);
        }
    }

    public static ResourceIndex Of(EndpointCatalog catalog) => Cache.GetValue(catalog, c => new ResourceIndex(c));

    public EndpointCatalog Catalog => _catalog;

    /// <summary>The GET of one item of the collection <paramref name="collection"/> serves, or null.</summary>
    public ApiOperation? ItemReadOf(ApiOperation collection)
    {
        if (collection.Path.EndsWithParameter)
        {
            return null;
        }

        var prefix = Normalised(collection.PathTemplate) + "/{}";
        return _reads.GetValueOrDefault(prefix);
    }

    /// <summary>
    /// The GET of the resource an operation on a concrete item changes, with the number of leading path segments
    /// it shares with the operation: the item itself for a PUT or DELETE, its owner for an action below it.
    /// </summary>
    public (ApiOperation Read, int Segments)? ResourceReadOf(ApiOperation operation)
    {
        var segments = operation.Path.Segments;
        for (var n = segments.Count; n > 0; n--)
        {
            if (!PathShape.IsParameter(segments[n - 1]))
            {
                continue;
            }

            var prefix = "/" + string.Join('/', segments.Take(n).Select(Shape));
            if (_reads.TryGetValue(prefix, out var read) && read != operation)
            {
                return (read, n);
            }
        }

        return null;
    }

    /// <summary>The parameter a list pages with, or null when it has none or is no list.</summary>
    public PagingParameter? PagingOf(ApiOperation operation)
    {
        lock (_lock)
        {
            if (!_paging.TryGetValue(operation.Index, out var paging))
            {
                _paging[operation.Index] = paging = FindPaging(operation);
            }

            return paging;
        }
    }

    /// <summary>A page-size parameter of the operation ("per_page", "limit", "maxResults"), or null.</summary>
    public static string? PageSizeOf(ApiOperation operation) =>
        operation.Parameters.FirstOrDefault(p => p.In is ParameterLocation.Query or ParameterLocation.Body
                                                 && PageSizeNames.Contains(Normalise(p.Name)))?.Name;

    /// <summary>Whether a list-like operation: a list or search, or a collection GET that pages.</summary>
    public bool IsListing(ApiOperation operation) =>
        operation.Kind is OperationKind.List or OperationKind.Search
        || (operation.Method == "GET" && !operation.Path.EndsWithParameter && PagingOf(operation) is not null);

    private static PagingParameter? FindPaging(ApiOperation operation)
    {
        if (operation.Path.EndsWithParameter && operation.Kind is not (OperationKind.List or OperationKind.Search))
        {
            return null;
        }

        return operation.Parameters
            .Where(p => p.In is ParameterLocation.Query || (p.In is ParameterLocation.Body && operation.Method != "GET"))
            .Select(p => PagingNames.TryGetValue(Normalise(p.Name), out var kind) ? new PagingParameter(p.Name, kind) : null)
            .OfType<PagingParameter>()
            .OrderBy(p => p.Kind)
            .FirstOrDefault();
    }

    private static string Normalise(string name) =>
        new([.. name.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant)]);

    // Placeholder names differ between a collection and its items ({id} here, {task_gid} there); only the shape counts.
    private static string Normalised(string template) => "/" + string.Join('/', PathShape.SplitPath(template).Select(Shape));

    private static string Shape(string segment) => Placeholder().Replace(segment, "{}");

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Placeholder();
}
