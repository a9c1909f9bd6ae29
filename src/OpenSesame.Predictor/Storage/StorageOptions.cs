namespace OpenSesame.Predictor.Storage;

/// <summary>Where the service keeps its state. Section "Storage" of the configuration.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The values <see cref="Provider"/> takes.</summary>
    public static readonly IReadOnlyList<string> Providers = ["Sqlite", "Postgres"];

    /// <summary>Which store keeps the service's state: <c>Sqlite</c> (the default: one file in
    /// <see cref="DataDirectory"/>, nothing to run) or <c>Postgres</c> (the server of <c>Storage:Postgres:ConnectionString</c>,
    /// which several instances share). Compared ignoring case; any other value refuses to start. Models stay files in
    /// <see cref="DataDirectory"/> either way.</summary>
    public string Provider { get; set; } = "Sqlite";

    public bool IsKnownProvider => Providers.Contains(Provider, StringComparer.OrdinalIgnoreCase);

    /// <summary>Folder for the SQLite database (when it is the store) and model files, relative to the working directory. Default <c>data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    public string DatabasePath => Path.Combine(DataDirectory, "opensesame.db");

    /// <summary>How often expired entries of the SQLite cache (the LLM response cache's second tier) are deleted; an
    /// expired entry is never served in between, and is deleted when it is read. Default 10 minutes.</summary>
    public TimeSpan CacheCleanupInterval { get; set; } = TimeSpan.FromMinutes(10);
}
