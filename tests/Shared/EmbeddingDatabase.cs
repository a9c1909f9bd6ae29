using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;

using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Testing;

/// <summary>A real SQLite database in a temporary folder, with the embedding store over it and raw SQL for damage.</summary>
internal sealed class EmbeddingDatabase : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opensesame-embeddings-").FullName;

    public EmbeddingDatabase()
    {
        Database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _folder }));
        Store = new SqliteEmbeddingStore(Database);
    }

    public SqliteDatabase Database { get; }

    public SqliteEmbeddingStore Store { get; }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await Database.OpenAsync(TestContext.Current.CancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public async Task<long> CountRowsAsync()
    {
        await using var connection = await Database.OpenAsync(TestContext.Current.CancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM operation_embeddings";
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
