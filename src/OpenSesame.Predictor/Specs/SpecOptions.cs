namespace OpenSesame.Predictor.Specs;

/// <summary>How specs are fetched, trusted and cached. Section "Specs" of the configuration.</summary>
public sealed class SpecOptions
{
    public const string Section = "Specs";

    /// <summary>Give up on a download after this long. Default 10 seconds.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest spec accepted, downloaded, read from a file or sent inline. Default 25 MB.</summary>
    public long MaxDocumentBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>A downloaded document is fresh this long; after it, it is fetched again (the stale copy is served if
    /// that fails). Default 1 hour.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Allow <c>spec_url</c> to reach private, loopback and link-local addresses. Default false: a public
    /// service must not be turned into a scanner of its own network (SSRF).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Hosts a spec may be downloaded from even when they are private: exact host names
    /// (<c>specs.internal</c>) or addresses and networks (<c>10.1.2.3</c>, <c>10.20.0.0/16</c>, <c>fd12::/64</c>).
    /// Default: none.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Redirects a download may follow; each target is checked like the first host. Default 3.</summary>
    public int MaxRedirects { get; set; } = 3;

    /// <summary>Folders a spec may be read from by path, relative to the working directory. Default: <c>samples</c>.</summary>
    public List<string> Folders { get; set; } = ["samples"];

    /// <summary>Most <c>$ref</c>s a spec may hold, counted in its text before it is parsed. Default 10,000: the
    /// largest shared real spec, GitHub's, has 4,505.</summary>
    public int MaxReferences { get; set; } = 10_000;

    /// <summary>Longest chain of components that are only a reference to the next one (<c>A: {$ref: B}</c>,
    /// <c>B: {$ref: C}</c>, ...); a circle is refused whatever its length. Default 32: real specs chain one or two.</summary>
    public int MaxReferenceDepth { get; set; } = 32;

    /// <summary>Most operations a spec may declare. Default 5,000: Kubernetes, the largest shared real spec, has 945.</summary>
    public int MaxOperations { get; set; } = 5_000;

    /// <summary>Longest a spec's parse may take, in wall-clock time; past it the request answers 422 and the parse stops.
    /// A backstop behind the count limits, which bound the work itself, so it has room for a loaded machine: the slowest
    /// shared real spec (Stripe) parses in about 1.5 s on an idle core, but took over 10 s at a load average of 16 and
    /// over 30 s during a whole <c>dotnet test</c> on two shared cores. Default 2 minutes.</summary>
    public TimeSpan ParseBudget { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Parsed catalogs kept in memory, by content hash. Default 32.</summary>
    public int CatalogCacheCapacity { get; set; } = 32;
}
