using System.Text.RegularExpressions;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// The base paths a call to a spec may add or omit, most certain first.
/// </summary>
/// <param name="Usual">The servers' paths, then a version-like first segment most paths share ("/v1"): what callers
/// of the API add or omit every day.</param>
/// <param name="All">The usual ones, then the leading literal segments every path shares when they name no resource
/// ("/api/v2"). Only a repair reaches this far: a call that needs it to be a spec path was written by a generator that
/// guessed the base path, not by a client that knows it.</param>
internal sealed record BasePaths(IReadOnlyList<string> Usual, IReadOnlyList<string> All);

/// <summary>
/// How a called path relates to the spec's templates, so that the matcher, the repair and the evaluation read paths
/// alike: what a placeholder is and the shape it gives a segment, a called path reduced to its path, the base paths
/// a spec's calls may add or omit, and a path with one of them added or removed. Splitting a template into segments
/// and naming its parameters is <see cref="PathShape"/>'s.
/// </summary>
internal static partial class PathRules
{
    /// <summary>A parameter placeholder in a segment, braces included: <c>{id}</c>, <c>{+path}</c>.</summary>
    [GeneratedRegex(@"\{[^}]*\}")]
    public static partial Regex Placeholder();

    /// <summary>Whether the segment is one placeholder and nothing else (<c>{id}</c>, not <c>{id}.json</c>).</summary>
    public static bool IsPureParameter(string segment) =>
        segment.StartsWith('{') && segment.EndsWith('}') && segment.IndexOf('{', 1) < 0;

    /// <summary>
    /// The segment with every placeholder reduced to <c>{}</c>: <c>{file_id}#add_shared_link</c> and
    /// <c>{id}#add_shared_link</c> are one shape, so a templated call may name a parameter otherwise than the spec.
    /// </summary>
    public static string SegmentShape(string segment) => Placeholder().Replace(segment, "{}");

    /// <summary>The path part of an endpoint: scheme, host and query removed.</summary>
    public static string NormalizePath(string path)
    {
        var p = path.Trim();
        if (Uri.TryCreate(p, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            p = Uri.UnescapeDataString(uri.AbsolutePath);
        }

        // A "#variant" stays: no client sends a fragment, but specs (Box) name variants of one endpoint that way.
        var cut = p.IndexOf('?', StringComparison.Ordinal);
        if (cut >= 0)
        {
            p = p[..cut];
        }

        return p.StartsWith('/') ? p : "/" + p;
    }

    /// <summary>The spec's base paths: the ones its servers declare and the ones its paths show.</summary>
    public static BasePaths BasePathsOf(EndpointCatalog catalog)
    {
        var usual = new List<string>(catalog.BasePaths);
        if (SharedVersionSegment(catalog) is { } version)
        {
            usual.Add(version);
        }

        var all = new List<string>(usual);
        if (SharedLeadingSegments(catalog) is { } shared && !all.Contains(shared, StringComparer.OrdinalIgnoreCase))
        {
            all.Add(shared);
        }

        return new BasePaths(usual, all);
    }

    /// <summary>The path's segments without the base path when it starts with it, else with the base path added.</summary>
    /// <param name="bareIsRoot">What a path that is the base path and nothing more becomes: the spec's root (true, as the
    /// matcher reads it) or the base path twice (false: the repair aligns segments, and the root has none).</param>
    /// <returns>The new segments, and whether the base path was removed rather than added.</returns>
    public static (IReadOnlyList<string> Segments, bool Removed) WithOrWithoutBasePath(IReadOnlyList<string> segments,
        string basePath, bool bareIsRoot)
    {
        var baseSegments = PathShape.SplitPath(basePath);
        var has = (bareIsRoot ? segments.Count >= baseSegments.Count : segments.Count > baseSegments.Count)
                  && baseSegments.Select((b, i) => string.Equals(b, segments[i], StringComparison.OrdinalIgnoreCase)).All(same => same);
        return has ? ([.. segments.Skip(baseSegments.Count)], true) : ([.. baseSegments, .. segments], false);
    }

    // A version-like first segment ("/v1") that most paths share, and which callers often omit.
    private static string? SharedVersionSegment(EndpointCatalog catalog)
    {
        var firstSegments = catalog.Operations
            .Select(o => o.Path.Segments.Count > 0 ? o.Path.Segments[0] : "")
            .Where(s => s.Length > 0 && !PathShape.IsParameter(s))
            .GroupBy(s => s, StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(g => g.Count())
            .FirstOrDefault();
        return firstSegments is not null && firstSegments.Count() * 2 > catalog.Operations.Count
                                         && NamesNoResource("/" + firstSegments.Key)
            ? "/" + firstSegments.Key
            : null;
    }

    // Leading literal segments every path shares and that name no resource ("/api/v2"): a base path the servers may not
    // declare.
    private static string? SharedLeadingSegments(EndpointCatalog catalog)
    {
        if (catalog.Operations.Count < 2)
        {
            return null;
        }

        var first = catalog.Operations[0].Path.Segments;
        var length = 0;
        while (length < first.Count - 1 && !PathShape.IsParameter(first[length])
               && catalog.Operations.All(o => o.Path.Segments.Count > length + 1
                                              && string.Equals(o.Path.Segments[length], first[length], StringComparison.OrdinalIgnoreCase)))
        {
            length++;
        }

        var prefix = "/" + string.Join('/', first.Take(length));
        return length > 0 && NamesNoResource(prefix) ? prefix : null;
    }

    private static bool NamesNoResource(string path) => PathShape.Parse(path).Resources.Count == 0;
}
