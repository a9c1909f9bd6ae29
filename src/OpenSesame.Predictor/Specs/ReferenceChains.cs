using Microsoft.OpenApi;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Refuses components that are only a reference to another component when the chain they start is too long or
/// closes in a circle. Checked once on the parsed document, before anything resolves a reference: resolving one
/// follows its whole chain each time, so a long chain costs its length on every use and a circle never ends.
/// </summary>
internal static class ReferenceChains
{
    public static void Check(OpenApiComponents? components, int maxDepth)
    {
        if (components is null)
        {
            return;
        }

        Check(components.Schemas, "schema", s => (s as OpenApiSchemaReference)?.Reference.Id, maxDepth);
        Check(components.Parameters, "parameter", p => (p as OpenApiParameterReference)?.Reference.Id, maxDepth);
        Check(components.Responses, "response", r => (r as OpenApiResponseReference)?.Reference.Id, maxDepth);
        Check(components.RequestBodies, "request body", b => (b as OpenApiRequestBodyReference)?.Reference.Id, maxDepth);
        Check(components.Headers, "header", h => (h as OpenApiHeaderReference)?.Reference.Id, maxDepth);
        Check(components.PathItems, "path item", p => (p as OpenApiPathItemReference)?.Reference.Id, maxDepth);
    }

    // Each component is visited once: the length of a chain already measured is reused by every chain that joins it.
    private static void Check<T>(IDictionary<string, T>? components, string kind, Func<T, string?> targetOf, int maxDepth)
    {
        if (components is null)
        {
            return;
        }

        var lengths = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var start in components.Keys)
        {
            var chain = new List<string>();
            var onChain = new HashSet<string>(StringComparer.Ordinal);
            var name = start;

            // References still to follow after the chain's last member: -1 when that member is the end of it.
            var tail = -1;
            while (true)
            {
                if (lengths.TryGetValue(name, out var known))
                {
                    tail = known;
                    break;
                }

                if (!onChain.Add(name))
                {
                    throw new SpecException($"The spec's {kind} components refer to each other in a circle: "
                                            + string.Join(" → ", chain.SkipWhile(n => n != name).Append(name).Take(6)) + ".");
                }

                chain.Add(name);
                if (!components.TryGetValue(name, out var component) || component is null || targetOf(component) is not { } target)
                {
                    break;
                }

                name = target;
            }

            for (var i = chain.Count - 1; i >= 0; i--)
            {
                lengths[chain[i]] = ++tail;
            }

            if (tail > maxDepth)
            {
                throw new SpecException($"The spec's {kind} '{start}' starts a chain of {tail} references; "
                                        + $"at most {maxDepth} are accepted (Specs:MaxReferenceDepth).");
            }
        }
    }
}
