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
/// </summary>
public sealed class PathTemplateMatcher
{
    private readonly Node _root = new();
    private readonly Lazy<Dictionary<string, List<ApiOperation>>> _byShape;

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

        return best;
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
