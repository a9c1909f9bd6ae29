using System.Collections.Concurrent;
using OpenSesame.Predictor.Specs;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training;

/// <summary>A domain sessions can name, with the spec its calls belong to.</summary>
/// <param name="Name">An embedded domain's name ("billing") or a spec path under the shared folder.</param>
public sealed record TrainingDomain(string Name, EndpointCatalog Catalog, bool IsSpecFile);

/// <summary>
/// Finds the spec of a session's <see cref="SyntheticSession.Domain"/>: an embedded domain by name, or a spec file by
/// its path relative to the shared folder (<c>evaldata/specs/.../openapi.yaml</c>, as recorded traffic names its
/// <c>spec</c>). Each spec file is parsed once per folder and process, then shared.
/// </summary>
public sealed class TrainingCatalogs
{
    /// <summary>Where the shared material sits when nothing says otherwise: <c>../shared</c> from the working
    /// directory, the repository root's sibling, as eval/run-all.sh assumes.</summary>
    public const string DefaultSharedFolder = "../shared";

    private const string RealSpecsResource = "OpenSesame.Training.Synthetic.real-specs.txt";
    private static readonly ConcurrentDictionary<string, TrainingCatalogs> ByFolder = new(StringComparer.Ordinal);
    private static readonly Lazy<IReadOnlyList<string>> RealSpecList = new(ReadRealSpecs);

    private readonly ConcurrentDictionary<string, Lazy<TrainingDomain>> _specs = new(StringComparer.Ordinal);

    private TrainingCatalogs(string sharedFolder) => SharedFolder = sharedFolder;

    /// <summary>The absolute shared folder spec paths are relative to.</summary>
    public string SharedFolder { get; }

    /// <summary>The real specs training walks (Synthetic/real-specs.txt), by path relative to the shared folder.</summary>
    public static IReadOnlyList<string> RealSpecs => RealSpecList.Value;

    /// <summary>The resolver of one shared folder (<see cref="DefaultSharedFolder"/> when null), shared by its callers.</summary>
    public static TrainingCatalogs For(string? sharedFolder) =>
        ByFolder.GetOrAdd(Path.GetFullPath(sharedFolder ?? DefaultSharedFolder), folder => new TrainingCatalogs(folder));

    /// <summary>Whether a domain name is a spec path rather than an embedded domain's name.</summary>
    public static bool IsSpecPath(string domain) =>
        domain.Contains('/', StringComparison.Ordinal) || domain.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
        || domain.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || domain.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="KeyNotFoundException">No embedded domain has that name.</exception>
    /// <exception cref="FileNotFoundException">The spec file is not in the shared folder.</exception>
    public TrainingDomain Get(string domain)
    {
        if (!IsSpecPath(domain))
        {
            var embedded = SyntheticDomains.Get(domain);
            return new TrainingDomain(embedded.Name, embedded.Catalog, IsSpecFile: false);
        }

        var lazy = _specs.GetOrAdd(domain, name => new Lazy<TrainingDomain>(() => Parse(name)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A missing file may appear later (the folder was mounted); do not remember the failure.
            _specs.TryRemove(domain, out _);
            throw;
        }
    }

    private TrainingDomain Parse(string domain)
    {
        var path = Path.GetFullPath(Path.Combine(SharedFolder, domain));
        if (!path.StartsWith(SharedFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The spec '{domain}' is outside the shared folder {SharedFolder}.", nameof(domain));
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The spec '{domain}' is not in the shared folder {SharedFolder} (looked for {path}); pass the shared folder (--shared) or run from the repository root next to ../shared.",
                path);
        }

        return new TrainingDomain(domain, OpenApiCatalogParser.Parse(File.ReadAllText(path)), IsSpecFile: true);
    }

    private static List<string> ReadRealSpecs()
    {
        using var stream = typeof(TrainingCatalogs).Assembly.GetManifestResourceStream(RealSpecsResource)
                           ?? throw new InvalidOperationException($"The embedded resource '{RealSpecsResource}' is missing.");
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }
}
