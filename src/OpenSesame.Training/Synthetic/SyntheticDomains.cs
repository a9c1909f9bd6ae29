using System.Reflection;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>One synthetic SaaS domain: an OpenAPI spec the project owns and the workflow users follow through it.</summary>
public sealed class SyntheticDomain
{
    private readonly Lazy<EndpointCatalog> _catalog;

    internal SyntheticDomain(string name, string specText, SyntheticWorkflow workflow)
    {
        Name = name;
        SpecText = specText;
        Workflow = workflow;
        _catalog = new Lazy<EndpointCatalog>(() => OpenApiCatalogParser.Parse(specText));
    }

    /// <summary>The file stem ("billing"): how sessions name their domain so the spec can be found again.</summary>
    public string Name { get; }

    /// <summary>The OpenAPI YAML, exactly as embedded; what a trained model would be handed as the spec.</summary>
    public string SpecText { get; }

    /// <summary>The parsed spec, built on first use and then shared.</summary>
    public EndpointCatalog Catalog => _catalog.Value;

    internal SyntheticWorkflow Workflow { get; }

    public override string ToString() => Name;
}

/// <summary>The domains embedded in this assembly from Training/Synthetic/Domains.</summary>
public static class SyntheticDomains
{
    private const string ResourcePrefix = "OpenSesame.Training.Synthetic.Domains.";
    private const string SpecSuffix = ".openapi.yaml";
    private const string WorkflowSuffix = ".workflow.json";

    private static readonly Lazy<IReadOnlyList<SyntheticDomain>> Loaded = new(Load);

    /// <summary>Every domain, ordered by name.</summary>
    public static IReadOnlyList<SyntheticDomain> All => Loaded.Value;

    /// <exception cref="KeyNotFoundException">No embedded domain has that name.</exception>
    public static SyntheticDomain Get(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException($"No synthetic domain is named '{name}'.");

    private static List<SyntheticDomain> Load()
    {
        var assembly = typeof(SyntheticDomains).Assembly;
        var domains = new List<SyntheticDomain>();
        foreach (var resource in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                || !resource.EndsWith(SpecSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[ResourcePrefix.Length..^SpecSuffix.Length];
            var workflowResource = ResourcePrefix + name + WorkflowSuffix;
            var workflow = SyntheticWorkflow.Parse(ReadResource(assembly, workflowResource));
            domains.Add(new SyntheticDomain(name, ReadResource(assembly, resource), workflow));
        }

        return domains;
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
