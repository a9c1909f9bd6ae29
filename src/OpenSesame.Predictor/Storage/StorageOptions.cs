namespace OpenSesame.Predictor.Storage;

/// <summary>Where the service keeps its state. Section "Storage" of the configuration.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Folder for the SQLite database and model files, relative to the working directory. Default <c>data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    public string DatabasePath => Path.Combine(DataDirectory, "opensesame.db");

    /// <summary>How often expired entries of the SQLite cache (the LLM response cache's second tier) are deleted; an
    /// expired entry is never served in between, and is deleted when it is read. Default 10 minutes.</summary>
    public TimeSpan CacheCleanupInterval { get; set; } = TimeSpan.FromMinutes(10);
}
