using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Outcomes;

/// <summary>
/// Turns the call a client says it made into the operation template outcomes keep, without keeping any id it carried.
/// In order: the logged candidates' templates as written (the cheap, common case: a client echoing a suggestion's
/// <c>endpoint</c>); the spec's own matcher (concrete paths, base paths, other placeholder names), when the spec is
/// still in memory; otherwise the logged candidates' templates segment by segment; and failing all, the call with
/// every segment that is no word of those templates masked as <c>{?}</c>.
/// </summary>
internal static class ChosenEndpoint
{
    /// <summary>The masked segment: a value that was not kept.</summary>
    public const string Masked = "{?}";

    /// <returns>The operation's "METHOD /template"; null when the spec is at hand and has no such operation.</returns>
    public static string? Resolve(string method, string path, ServedPrediction served, EndpointCatalog? catalog)
    {
        path = PathRules.NormalizePath(path);
        var written = $"{method} {path}";
        if (served.Candidates.Any(c => string.Equals(c.Endpoint, written, StringComparison.Ordinal)))
        {
            return written;
        }

        if (catalog is not null)
        {
            var match = catalog.Matcher.Match(method, path);
            return match is { Kind: MatchKind.Exact or MatchKind.Alias, Operation: { } operation } ? operation.Key : null;
        }

        var segments = PathShape.SplitPath(path);
        var templates = served.Candidates
            .Select(c => Split(c.Endpoint))
            .Where(t => t.Method == method)
            .ToList();
        var fits = templates
            .Select(t => (t.Endpoint, Literals: Fit(t.Segments, segments)))
            .Where(f => f.Literals >= 0)
            .OrderByDescending(f => f.Literals)
            .ToList();
        if (fits.Count > 0 && (fits.Count == 1 || fits[0].Literals > fits[1].Literals))
        {
            return fits[0].Endpoint;
        }

        var words = served.Candidates
            .SelectMany(c => Split(c.Endpoint).Segments)
            .Where(s => !PathShape.IsParameter(s))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return $"{method} /{string.Join('/', segments.Select(s => words.Contains(s) || PathRules.IsPureParameter(s) ? s : Masked))}";
    }

    // How many literal segments of the template the call's segments repeat; -1 when they do not fit it at all.
    private static int Fit(IReadOnlyList<string> template, IReadOnlyList<string> call)
    {
        if (template.Count != call.Count)
        {
            return -1;
        }

        var literals = 0;
        for (var i = 0; i < template.Count; i++)
        {
            if (PathRules.IsPureParameter(template[i]))
            {
                continue;
            }

            if (!string.Equals(template[i], call[i], StringComparison.OrdinalIgnoreCase))
            {
                return -1;
            }

            literals++;
        }

        return literals;
    }

    private static (string Endpoint, string Method, IReadOnlyList<string> Segments) Split(string endpoint)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        return (endpoint, endpoint[..space], PathShape.SplitPath(endpoint[(space + 1)..]));
    }
}
