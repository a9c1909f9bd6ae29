using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace OpenSesame.Predictor.Specs;

public enum MatchKind
{
    /// <summary>Method and path are an operation of the spec.</summary>
    Exact,

    /// <summary>The path is a spec path but the method is not declared on it, or a longer path ends in a path
    /// parameter that took several segments (<c>refs/heads/main</c>).</summary>
    Path,

    /// <summary>Not a spec path, but the spec's resource addressed through another collection and id:
    /// <c>GET /repositories/42/issues</c> → <c>/repos/{owner}/{repo}/issues</c> (see <see cref="PathTemplateMatcher"/>).
    /// The method is declared on the matched path; only the shared tail's values are taken.</summary>
    Alias,

    /// <summary>Only a leading part of the path is a spec path: <c>PUT /invoices/123/status</c> → <c>/invoices/{invoice}</c>.</summary>
    Prefix,

    /// <summary>Nothing in the spec resembles it; the event is still context.</summary>
    None,
}

/// <summary>An event's endpoint mapped onto the spec, with the path-parameter values it carried.</summary>
/// <param name="Shape">The matched spec path (for prefix matches, the prefix), null when nothing matched.</param>
public sealed record PathMatch(MatchKind Kind, ApiOperation? Operation, PathShape? Shape,
    IReadOnlyDictionary<string, string> PathValues)
{
    public static readonly PathMatch None = new(MatchKind.None, null, null, new Dictionary<string, string>());

    public string? PathTemplate => Shape?.Template;
}

/// <summary>
/// Maps concrete calls (<c>GET /v1/invoices/in_123</c>) and templated ones (<c>GET /invoices/{id}</c>), with or without
/// the server's base path, onto spec operations. A segment trie over all templates: literal segments win over
/// parameters, so <c>/invoices/search</c> is never mistaken for <c>/invoices/{id}</c>.
/// <para>A call that is no spec path may still name a spec resource by an alias: APIs answer id-based paths their
/// specs do not list (GitHub's <c>/repositories/{id}/…</c> for <c>/repos/{owner}/{repo}/…</c>, <c>/user/{id}</c> for
/// <c>/users/{username}</c>), and recorded clients call them. When only a prefix matched, a spec path with the same
/// tail under a parameter, whose first segment is the call's collection abbreviated or in the singular, is taken
/// (<see cref="MatchKind.Alias"/>): more literal segments in the tail first, then the shortest head; a tie is no
/// match.</para>
/// </summary>
public sealed class PathTemplateMatcher
{
    private readonly Node _root = new();
    private readonly Lazy<Dictionary<string, List<ApiOperation>>> _byShape;
    private readonly Lazy<Node[]> _shapes;

    internal PathTemplateMatcher(EndpointCatalog catalog)
    {
        foreach (var operation in catalog.Operations)
        {
            var node = _root;
            foreach (var segment in operation.Path.Segments)
            {
                node = node.Child(segment);
            }

            node.Shape ??= operation.Path;
            node.Operations.TryAdd(operation.Method, operation);
        }

        BasePaths = PathRules.BasePathsOf(catalog);
        _byShape = new(() => ByShape(catalog));
        _shapes = new(() => [.. Nodes(_root).Where(n => n.Shape is not null)]);
    }

    /// <summary>The base paths a call may add or omit; the matcher tries the usual ones.</summary>
    internal BasePaths BasePaths { get; }

    /// <summary>Matches "METHOD /path" (or a full URL); a query string is ignored here.</summary>
    public PathMatch Match(string method, string path)
    {
        method = method.ToUpperInvariant();
        var segments = PathShape.SplitPath(PathRules.NormalizePath(path));
        var best = MatchSegments(method, segments);
        foreach (var basePath in BasePaths.Usual)
        {
            if (best.Kind == MatchKind.Exact)
            {
                break;
            }

            var (variant, _) = PathRules.WithOrWithoutBasePath(segments, basePath, bareIsRoot: true);
            var candidate = MatchSegments(method, variant);
            if (candidate.Kind < best.Kind || (candidate.Kind == best.Kind && Depth(candidate) > Depth(best)))
            {
                best = candidate;
            }
        }

        if (best.Kind is MatchKind.Prefix or MatchKind.None && Alias(method, segments) is { } alias)
        {
            return alias;
        }

        return best;
    }

    private PathMatch? Alias(string method, IReadOnlyList<string> segments)
    {
        Node? best = null;
        AliasFit bestFit = default;
        var tied = false;
        foreach (var node in _shapes.Value)
        {
            if (!node.Operations.ContainsKey(method))
            {
                continue;
            }

            var template = node.Shape!.Segments;
            // The call and the spec path may share leading literal segments ("/v1") before the aliased collection.
            for (var shared = 0; shared + 2 <= segments.Count && shared < template.Count; shared++)
            {
                if (FitAlias(template, segments, shared) is { } fit)
                {
                    var order = best is null ? 1 : fit.CompareTo(bestFit);
                    if (order > 0)
                    {
                        (best, bestFit, tied) = (node, fit, false);
                    }
                    else if (order == 0 && best != node)
                    {
                        tied = true;
                    }
                }

                if (PathShape.IsParameter(template[shared]) || !string.Equals(template[shared], segments[shared], StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }
            }
        }

        if (best is null || tied)
        {
            return null;
        }

        // Only the tail is the same resource path: the head's parameters are not the call's id ({owner} is no
        // repository id), so they stay unfilled.
        var shape = best.Shape!;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 1; k <= bestFit.Tail; k++)
        {
            var pattern = shape.Segments[^k];
            var concrete = segments[^k];
            if (PathRules.IsPureParameter(pattern) && !PathShape.IsParameter(concrete))
            {
                values[PathShape.ParameterNames(pattern).First()] = Uri.UnescapeDataString(concrete);
            }
        }

        return new PathMatch(MatchKind.Alias, best.Operations[method], shape, values);
    }

    /// <summary>How well a spec path explains a call as an alias: more literal segments in the shared tail, then a
    /// shorter head in place of the call's collection and id.</summary>
    private readonly record struct AliasFit(int TailLiterals, int Head, int Tail) : IComparable<AliasFit>
    {
        public int CompareTo(AliasFit other) =>
            TailLiterals != other.TailLiterals ? TailLiterals.CompareTo(other.TailLiterals) : other.Head.CompareTo(Head);
    }

    // The call is shared + [collection, id] + tail; the spec path shared + [head..., {parameter}] + tail, its head
    // starting with the collection's name abbreviated or in the singular ("repos" for "repositories", "users" for
    // "user", not "repo_settings" for "repos").
    private static AliasFit? FitAlias(IReadOnlyList<string> template, IReadOnlyList<string> segments, int shared)
    {
        var tail = segments.Count - shared - 2;
        var parameterAt = template.Count - tail - 1;
        var collection = segments[shared];
        if (parameterAt <= shared || !PathRules.IsPureParameter(template[parameterAt]) || PathShape.IsParameter(template[shared])
            || PathShape.IsParameter(collection) || !SameCollection(collection, template[shared]))
        {
            return null;
        }

        var literals = 0;
        for (var k = 1; k <= tail; k++)
        {
            var pattern = template[^k];
            if (PathRules.IsPureParameter(pattern))
            {
                continue;
            }

            if (PathShape.IsParameter(pattern) || !string.Equals(pattern, segments[^k], StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            literals++;
        }

        // A tail of parameters alone says nothing of which resource it is: "/repositories/42/labels" is not {repo}.
        return tail > 0 && literals == 0 ? null : new AliasFit(literals, parameterAt - shared, tail);
    }

    // The same resource as the data-flow graph tells entities apart (repo / repository), in the singular; a version
    // segment ("v1") is no collection.
    private static bool SameCollection(string called, string declared)
    {
        var (a, b) = (Tokenizer.Stem(called.ToLowerInvariant()), Tokenizer.Stem(declared.ToLowerInvariant()));
        return Math.Min(a.Length, b.Length) >= 3 && DataFlowGraph.SameEntity(a, b);
    }

    private static IEnumerable<Node> Nodes(Node node)
    {
        yield return node;
        foreach (var child in node.Literals.Values.Concat(node.Patterns.Select(p => p.Child)).Concat(node.Parameter is { } p ? [p] : []))
        {
            foreach (var descendant in Nodes(child))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The operations declared on the path <paramref name="shape"/> names, however its placeholders are named.</summary>
    internal IReadOnlyList<ApiOperation> OperationsOn(PathShape shape) => _byShape.Value.GetValueOrDefault(ShapeKey(shape)) ?? [];

    private static int Depth(PathMatch match) => match.Shape?.Depth ?? -1;

    private PathMatch MatchSegments(string method, IReadOnlyList<string> segments)
    {
        Found? best = null;
        Walk(_root, segments, 0, 0, method, ref best);
        if (best is null)
        {
            return PathMatch.None;
        }

        var node = best.Value.Node;
        var exact = best.Value.Full && node.Operations.ContainsKey(method);
        var operation = exact
            ? node.Operations[method]
            : node.Operations.GetValueOrDefault(method) ?? node.Operations.GetValueOrDefault("GET") ?? node.Operations.Values.First();
        var kind = exact && !best.Value.Greedy ? MatchKind.Exact : best.Value.Full ? MatchKind.Path : MatchKind.Prefix;
        return new PathMatch(kind, operation, node.Shape, ExtractValues(node.Shape!, segments));
    }

    /// <param name="Patterns">Placeholders of a templated call that landed on a mixed segment ("{file_id}#variant")
    /// rather than a plain parameter; the plain one is what such a call means.</param>
    private readonly record struct Found(Node Node, bool Full, bool Greedy, int Depth, int Literals, int Patterns, bool MethodMatches);

    private static void Walk(Node node, IReadOnlyList<string> segments, int index, int literals, string method, ref Found? best,
        int patterns = 0)
    {
        if (node.Shape is not null)
        {
            var full = index == segments.Count;
            Consider(new Found(node, full, false, index, literals, patterns, node.Operations.ContainsKey(method)), ref best);
        }

        if (index == segments.Count)
        {
            return;
        }

        var segment = segments[index];
        var isPlaceholder = PathShape.IsParameter(segment);
        var isPurePlaceholder = isPlaceholder && PathRules.IsPureParameter(segment);
        if (!isPlaceholder && node.Literals.TryGetValue(segment, out var literal))
        {
            Walk(literal, segments, index + 1, literals + 1, method, ref best, patterns);
        }

        foreach (var (pattern, child, shape) in node.Patterns)
        {
            // "{id}" may stand for any mixed segment (ranked below the plain parameter); "{id}.json" only for its own shape.
            if (isPurePlaceholder || (isPlaceholder ? PathRules.SegmentShape(segment) == shape : TryMatch(pattern, segment, out _)))
            {
                Walk(child, segments, index + 1, literals + (isPurePlaceholder ? 0 : 1), method, ref best, patterns + (isPurePlaceholder ? 1 : 0));
            }
        }

        if (node.Parameter is { } parameter && (!isPlaceholder || isPurePlaceholder))
        {
            Walk(parameter, segments, index + 1, literals, method, ref best, patterns);

            // A trailing parameter named like a path may hold slashes (GitHub's {ref} = "heads/main", {path} of a
            // file); any other one ends at its segment, so /invoices/in_123/status stays a prefix match.
            if (parameter.Shape is { } shape && index + 1 < segments.Count && HoldsSlashes(shape.Segments[^1]))
            {
                Consider(new Found(parameter, true, true, segments.Count, literals, patterns, parameter.Operations.ContainsKey(method)), ref best);
            }
        }
    }

    private static bool HoldsSlashes(string segment) =>
        PathShape.ParameterNames(segment).SelectMany(Tokenizer.Words)
            .Any(w => w is "path" or "ref" or "file" or "key" or "prefix" or "object" or "blob" or "tree" or "dir" or "folder");

    private static void Consider(Found candidate, ref Found? best)
    {
        if (best is not { } current || Rank(candidate).CompareTo(Rank(current)) > 0)
        {
            best = candidate;
        }
    }

    // Full beats greedy beats prefix; then deeper, more literal segments, fewer placeholders on mixed segments, and
    // the method being declared.
    private static (int, int, int, int, int, int) Rank(Found f) =>
        (f.Full ? 1 : 0, f.Greedy ? 0 : 1, f.Depth, f.Literals, -f.Patterns, f.MethodMatches ? 1 : 0);

    private static Dictionary<string, string> ExtractValues(PathShape shape, IReadOnlyList<string> segments)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var templateSegments = shape.Segments;
        for (var i = 0; i < templateSegments.Count && i < segments.Count; i++)
        {
            var pattern = templateSegments[i];
            if (!PathShape.IsParameter(pattern) || PathShape.IsParameter(segments[i]))
            {
                continue;
            }

            var isLast = i == templateSegments.Count - 1;
            var concrete = isLast && pattern.StartsWith('{') && pattern.EndsWith('}') && segments.Count > templateSegments.Count
                && HoldsSlashes(pattern)
                ? string.Join('/', segments.Skip(i))
                : segments[i];
            // "{id}" takes the whole segment (or, trailing and path-like, the rest of the path): no pattern needed.
            if (PathRules.IsPureParameter(pattern))
            {
                values[PathShape.ParameterNames(pattern).First()] = Uri.UnescapeDataString(concrete);
                continue;
            }

            if (!TryMatch(SegmentRegexes.GetValue(pattern, SegmentRegex), concrete, out var match))
            {
                continue;
            }

            foreach (var name in PathShape.ParameterNames(pattern))
            {
                var group = match.Groups[GroupName(name)];
                if (group.Success && group.Value.Length > 0)
                {
                    values[name] = Uri.UnescapeDataString(group.Value);
                }
            }
        }

        return values;
    }

    // The timeout guards against pathological segments (two lazy groups make a match quadratic in the segment's
    // length); reaching it costs a non-match, not a failed request.
    private static bool TryMatch(Regex regex, string input, [NotNullWhen(true)] out Match? match)
    {
        try
        {
            match = regex.Match(input);
            return match.Success;
        }
        catch (RegexMatchTimeoutException)
        {
            match = null;
            return false;
        }
    }

    // Building a regex parses and compiles it, a cost each matched call would pay again; keyed by the catalog's own
    // segment string, so an entry lives as long as the catalog that holds it.
    private static readonly ConditionalWeakTable<string, Regex> SegmentRegexes = new();

    // "{file_id}.{ext}" → ^(?<p0>.+?)\.(?<p1>.+?)$ with group names derived from parameter names. An empty "{}" has no
    // name to capture under: it stays as written.
    private static Regex SegmentRegex(string segment)
    {
        var pattern = "^" + PathRules.Placeholder().Replace(Regex.Escape(segment).Replace(@"\{", "{", StringComparison.Ordinal),
            m => m.Length == 2 ? m.Value : $"(?<{GroupName(m.Value[1..^1])}>.+?)") + "$";
        return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private static string GroupName(string parameter) =>
        "p" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(parameter.TrimStart('+')));

    // "/invoices/{id}" and "/invoices/{invoice}" are one path to the matcher.
    private static string ShapeKey(PathShape shape) => string.Join('/', shape.Segments.Select(PathRules.SegmentShape));

    private static Dictionary<string, List<ApiOperation>> ByShape(EndpointCatalog catalog)
    {
        var byShape = new Dictionary<string, List<ApiOperation>>(StringComparer.OrdinalIgnoreCase);
        foreach (var operation in catalog.Operations)
        {
            var key = ShapeKey(operation.Path);
            if (!byShape.TryGetValue(key, out var operations))
            {
                byShape[key] = operations = [];
            }

            operations.Add(operation);
        }

        return byShape;
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Literals { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<(Regex Pattern, Node Child, string Shape)> Patterns { get; } = [];
        public Node? Parameter { get; private set; }
        public PathShape? Shape { get; set; }
        public Dictionary<string, ApiOperation> Operations { get; } = new(StringComparer.Ordinal);

        public Node Child(string segment)
        {
            if (!PathShape.IsParameter(segment))
            {
                return Literals.TryGetValue(segment, out var literal) ? literal : Literals[segment] = new Node();
            }

            if (PathRules.IsPureParameter(segment))
            {
                return Parameter ??= new Node();
            }

            var regex = SegmentRegex(segment);
            foreach (var (pattern, child, _) in Patterns)
            {
                if (pattern.ToString() == regex.ToString())
                {
                    return child;
                }
            }

            var node = new Node();
            Patterns.Add((regex, node, PathRules.SegmentShape(segment)));
            return node;
        }
    }
}
