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

    /// <summary>Folders a spec may be read from by path, relative to the working directory. Default: <c>samples</c>.</summary>
    public List<string> Folders { get; set; } = ["samples"];

    /// <summary>Parsed catalogs kept in memory, by content hash. Default 32.</summary>
    public int CatalogCacheCapacity { get; set; } = 32;
}
