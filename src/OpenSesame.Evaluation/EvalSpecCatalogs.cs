using System.Collections.Concurrent;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Evaluation;

/// <summary>
/// The parsed catalog of every spec a run uses, each parsed once: a dataset has hundreds of tasks on a handful of specs
/// (GitHub's takes a second to parse), and adapters that need a spec to read their labels share the parse with the
/// case builder through one instance.
/// </summary>
internal sealed class EvalSpecCatalogs
{
    private readonly ConcurrentDictionary<string, Lazy<EndpointCatalog>> _catalogs = new(StringComparer.Ordinal);

    public int Count => _catalogs.Count;

    /// <exception cref="EvalDataException">The spec file is missing or is not a usable OpenAPI document.</exception>
    public EndpointCatalog Get(EvalSpec spec) =>
        _catalogs.GetOrAdd(spec.CacheKey, _ => new Lazy<EndpointCatalog>(() => Load(spec))).Value;

    private static EndpointCatalog Load(EvalSpec spec)
    {
        string content;
        if (spec.FilePath is { } path)
        {
            if (!File.Exists(path))
            {
                throw new EvalDataException($"The spec {path} does not exist.");
            }

            content = File.ReadAllText(path);
        }
        else
        {
            content = spec.Content ?? throw new EvalDataException($"The spec '{spec.Name}' has neither a file nor content.");
        }

        try
        {
            return OpenApiCatalogParser.Parse(content);
        }
        catch (SpecException ex)
        {
            throw new EvalDataException($"The spec '{spec.Name}'{(spec.FilePath is null ? "" : $" ({spec.FilePath})")} "
                + $"cannot be used: {ex.Message}", ex);
        }
    }
}
