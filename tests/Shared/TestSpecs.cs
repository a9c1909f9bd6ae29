using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Testing;

/// <summary>Specs the repo owns (samples/) and small ones written inline, parsed by the real parser.</summary>
internal static class TestSpecs
{
    private static readonly Lazy<string> RepoRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenSesame.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (OpenSesame.slnx) is not above the test binaries.");
    });

    private static readonly Lazy<EndpointCatalog> BillingCatalog = new(() => OpenApiCatalogParser.Parse(File.ReadAllText(BillingPath)));

    public static string Root => RepoRoot.Value;

    public static string BillingPath => Path.Combine(Root, "samples", "specs", "billing.yaml");

    /// <summary>samples/specs/billing.yaml: customers, invoices (finalize, send, pay, void), lines, payments.</summary>
    public static EndpointCatalog Billing => BillingCatalog.Value;

    public static EndpointCatalog Parse(string yaml) => OpenApiCatalogParser.Parse(yaml);

    /// <summary>An OpenAPI 3.0 document with the given "METHOD /path" operations and nothing else.</summary>
    public static EndpointCatalog WithOperations(params string[] endpoints)
    {
        var paths = endpoints.Select(e => e.Split(' ', 2)).GroupBy(e => e[1]);
        var yaml = "openapi: 3.0.0\ninfo: { title: t, version: '1' }\npaths:\n" + string.Concat(paths.Select(path =>
            $"  {path.Key}:\n" + string.Concat(path.Select(e =>
                $"    {e[0].ToLowerInvariant()}:\n" +
                string.Concat(PathShape.Parse(path.Key).Slots.Select((s, i) =>
                    (i == 0 ? "      parameters:\n" : "") + $"        - {{ name: {s.Name}, in: path, required: true, schema: {{ type: string }} }}\n")) +
                "      responses: { '200': { description: ok } }\n"))));
        return OpenApiCatalogParser.Parse(yaml);
    }

    public static HistoryEvent Event(string endpoint, params (string Name, object Value)[] parameters)
    {
        var parsed = HistoryEvent.ParseEndpoint(endpoint) ?? throw new ArgumentException(endpoint);
        return new HistoryEvent(null, parsed.Method, parsed.Path, parameters.ToDictionary(
            p => p.Name, p => System.Text.Json.JsonSerializer.SerializeToElement(p.Value)));
    }

    public static PredictionContext Context(EndpointCatalog catalog, string? prompt, params string[] endpoints) =>
        PredictionContext.Create(catalog, endpoints.Select(e => Event(e)), prompt, DateTimeOffset.UnixEpoch);
}
