using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite.Tests;

/// <summary>Backup and restore between two real SQLite stores, each in its own folder.</summary>
public sealed class SqliteBackupTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("opensesame-backup-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private SqliteDatabase Store(string name) =>
        new(Options.Create(new StorageOptions { DataDirectory = Path.Combine(_folder, name) }));

    private string FileNamed(string name) => Path.Combine(_folder, name);

    private static async Task<List<string>> RequestsIn(SqliteDatabase store) =>
        [.. (await new SqliteRetrainRequests(store).RecentAsync(100, Cancel)).Select(r => r.RequestedBy)];

    [Fact]
    public async Task ABackupOfAStoreInUseRestoresEveryRowIntoAnotherStore()
    {
        var source = Store("a");
        var queue = new SqliteRetrainRequests(source);
        foreach (var who in new[] { "ops", "alice", "bob" })
        {
            var request = await queue.RequestAsync(RetrainTrigger.Request, who, Start, Cancel);
            await queue.ClaimNextAsync("host:1", Start, Start.AddHours(-2), Cancel);
            await queue.FinishAsync(request.Id, "host:1", RetrainState.Promoted, "ltr-x", "better", Start, Cancel);
        }

        var backedUp = await new SqliteBackup(source).BackupAsync(FileNamed("backup.db"), Cancel);
        var target = Store("b");
        await new SqliteRetrainRequests(target).RequestAsync(RetrainTrigger.Request, "replaced", Start, Cancel);
        var restored = await new SqliteBackup(target).RestoreAsync(FileNamed("backup.db"), Cancel);

        Assert.Contains(new TableRows("retrain_requests", 3), backedUp);
        Assert.Contains(new TableRows("audit_log", 0), backedUp);
        Assert.Equal(backedUp, restored);
        Assert.Equal(["bob", "alice", "ops"], await RequestsIn(target));
        Assert.False(File.Exists(FileNamed("backup.db.partial")));
    }

    [Fact]
    public async Task ABackupNeverOverwritesAFile()
    {
        var existing = FileNamed("taken.db");
        await File.WriteAllTextAsync(existing, "keep me", Cancel);

        var refused = await Assert.ThrowsAsync<StoreBackupException>(() => new SqliteBackup(Store("a")).BackupAsync(existing, Cancel));

        Assert.Contains("already exists", refused.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(existing, Cancel));
    }

    [Theory]
    [InlineData("missing.db", "does not exist")]
    [InlineData("text.db", "file is not a database")]
    [InlineData("other.db", "not an OpenSesame backup")]
    public async Task ARestoreRefusesWhatIsNotABackupAndLeavesTheStoreAsItWas(string file, string reason)
    {
        await File.WriteAllTextAsync(FileNamed("text.db"), "not a database", Cancel);
        await using (var other = new SqliteConnection($"Data Source={FileNamed("other.db")};Pooling=False"))
        {
            await other.OpenAsync(Cancel);
            using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE notes (text TEXT)";
            await create.ExecuteNonQueryAsync(Cancel);
        }

        var store = Store("a");
        await new SqliteRetrainRequests(store).RequestAsync(RetrainTrigger.Request, "ops", Start, Cancel);

        var refused = await Assert.ThrowsAsync<StoreBackupException>(() => new SqliteBackup(store).RestoreAsync(FileNamed(file), Cancel));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.Equal(["ops"], await RequestsIn(store));
    }
}
