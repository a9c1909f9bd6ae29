using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite.Tests;

/// <summary>The outcome store's contract on a SQLite file, and what only a SQLite file has: files of earlier releases.</summary>
public sealed class SqliteOutcomeStoreTests : OutcomeStoreContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();

    [Fact]
    public async Task ADatabaseWrittenBeforeTheFeatureListWasLoggedGainsTheColumnAndItsRowsReadWithoutOne()
    {
        var folder = Directory.CreateTempSubdirectory("opensesame-outcomes-old-").FullName;
        try
        {
            // The table as the first release of the outcome log created it, with one prediction in it.
            await using (var old = new SqliteConnection($"Data Source={Path.Combine(folder, "opensesame.db")}"))
            {
                await old.OpenAsync(Cancel);
                using var create = old.CreateCommand();
                create.CommandText = """
                    CREATE TABLE served_predictions (seq INTEGER PRIMARY KEY, prediction_id TEXT NOT NULL UNIQUE,
                        at_ms INTEGER NOT NULL, user_id TEXT, session_id TEXT, spec_hash TEXT NOT NULL, model TEXT NOT NULL,
                        history_length INTEGER NOT NULL, history_hash TEXT NOT NULL, served INTEGER NOT NULL,
                        endpoints TEXT NOT NULL, scores TEXT NOT NULL, feature_count INTEGER NOT NULL, features BLOB NOT NULL);
                    INSERT INTO served_predictions VALUES (1, 'p-old', 0, 'u', 's', 'h', 'm', 0, 'hh', 1, '["GET /a"]', '[0.5]', 1, x'0000803f');
                    """;
                await create.ExecuteNonQueryAsync(Cancel);
            }

            SqliteConnection.ClearAllPools();
            var store = new SqliteOutcomeStore(new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = folder })));

            var read = await store.FindServedAsync("p-old", Cancel);
            await store.SaveServedAsync(Served("p-new", Start) with { FeatureList = "list-a" }, Unbounded, Cancel);

            Assert.NotNull(read);
            Assert.Null(read.FeatureList);
            Assert.Equal([1f], read.Candidates[0].Features);
            Assert.Equal("list-a", (await store.FindServedAsync("p-new", Cancel))?.FeatureList);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
