using Microsoft.Data.Sqlite;

namespace OpenSesame.Cli;

/// <summary>
/// A fresh data directory for one command (<c>simulate</c>, <c>replay</c>), removed when it ends, so nothing a
/// deployment learned before (usage, outcomes, cached answers, spend) leaks into the run and the run leaves nothing
/// behind. Dispose it after the host that uses it.
/// </summary>
internal sealed class TemporaryDataDirectory : IDisposable
{
    private TemporaryDataDirectory(string path) => Path = path;

    public string Path { get; }

    public static TemporaryDataDirectory Create(string prefix) => new(Directory.CreateTempSubdirectory(prefix).FullName);

    public void Dispose()
    {
        // Pooled SQLite connections keep the database files open.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary folder is the system's to clean.
        }
    }
}
