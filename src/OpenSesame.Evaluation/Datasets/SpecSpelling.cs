using OpenSesame.Predictor.Specs;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>Repairs of gold labels that are right about the operation but spell it unlike the spec.</summary>
internal static class SpecSpelling
{
    /// <summary>
    /// Renames the path parameters of a templated label to the spec's names when everything else about the path is a
    /// spec path: <c>/person/{movie_id}/movie_credits</c> → <c>/person/{person_id}/movie_credits</c>. A label whose
    /// literal segments or parameter positions differ from every spec path is left alone for the case builder to report.
    /// </summary>
    public static EvalCall AlignParameterNames(EndpointCatalog catalog, EvalCall call)
    {
        if (!call.Path.Contains('{', StringComparison.Ordinal))
        {
            return call;
        }

        var match = catalog.Matcher.Match(call.Method, call.Path);
        if (match.Kind is not (MatchKind.Exact or MatchKind.Path) || match.Shape is null)
        {
            return call;
        }

        var label = PathShape.SplitPath(PathRules.NormalizePath(call.Path));
        var spec = match.Shape.Segments;
        if (label.Count != spec.Count || string.Equals(call.Path, match.Shape.Template, StringComparison.Ordinal))
        {
            return call;
        }

        for (var i = 0; i < label.Count; i++)
        {
            var sameKind = PathShape.IsParameter(label[i]) == PathShape.IsParameter(spec[i]);
            // "{id}" is one parameter filling the segment; "{name}.{ext}" is not safely renamed piecewise.
            var agrees = PathShape.IsParameter(label[i])
                ? PathRules.IsPureParameter(label[i]) && PathRules.IsPureParameter(spec[i])
                : string.Equals(label[i], spec[i], StringComparison.OrdinalIgnoreCase);
            if (!sameKind || !agrees)
            {
                return call;
            }
        }

        return call with { Path = match.Shape.Template };
    }
}
