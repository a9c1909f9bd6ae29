using OpenSesame.Testing;

namespace OpenSesame.Cli.Tests;

/// <summary><c>opensesame migrate</c> on both providers, and <c>backup</c>/<c>restore</c> with PostgreSQL, which point
/// to pg_dump instead.</summary>
public sealed class StoreCommandsTests : IAsyncDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opensesame-cli-store-").FullName;
    private PostgresServer? _server;
    private string? _database;

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
        if (_database is not null)
        {
            await _server!.DropDatabaseAsync(_database);
        }
    }

    private Func<CancellationToken, Task<StartedHost>> Host(Dictionary<string, string?> settings) => cancellationToken =>
    {
        settings["Storage:DataDirectory"] = _dataDirectory;
        return CliHost.StartAsync(settings, cancellationToken: cancellationToken);
    };

    private async Task<Dictionary<string, string?>> PostgresAsync()
    {
        _server = await PostgresServer.SharedAsync();
        _database = await _server.CreateDatabaseAsync();
        return new() { ["Storage:Provider"] = "Postgres", ["Storage:Postgres:ConnectionString"] = _database };
    }

    [Fact]
    public async Task MigrateOnANewSqliteFileAppliesTheSchemaAndTheNextRunFindsNothingToApply()
    {
        var first = await CommandRun.RunAsync(MigrateCommand.Create(Host([])), "migrate");
        var second = await CommandRun.RunAsync(MigrateCommand.Create(Host([])), "migrate");

        Assert.Equal((0, ""), (first.Code, first.Error));
        Assert.StartsWith($"Applied 1 step(s) to the SQLite file {Path.Combine(_dataDirectory, "opensesame.db")}; schema version 1:",
            first.Output, StringComparison.Ordinal);
        Assert.Equal((0, $"The SQLite file {Path.Combine(_dataDirectory, "opensesame.db")} is up to date (schema version 1); nothing to apply."),
            (second.Code, second.Output.Trim()));
    }

    [Fact]
    public async Task MigrateOnPostgresAppliesEveryStepOnceAndNamesTheServerWithoutThePassword()
    {
        var settings = await PostgresAsync();

        var first = await CommandRun.RunAsync(MigrateCommand.Create(Host(settings)), "migrate");
        var second = await CommandRun.RunAsync(MigrateCommand.Create(Host(settings)), "migrate");

        Assert.Equal((0, ""), (first.Code, first.Error));
        Assert.Contains($"to the PostgreSQL database test_", first.Output, StringComparison.Ordinal);
        Assert.Contains($"on 127.0.0.1:{_server!.Port}; schema version 1:", first.Output, StringComparison.Ordinal);
        Assert.Contains("  1  tables of the audit log", first.Output, StringComparison.Ordinal);
        Assert.Contains("is up to date (schema version 1); nothing to apply.", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackupAndRestoreWithPostgresSayToUsePgDumpAndExitNonZero()
    {
        var settings = await PostgresAsync();
        var target = Path.Combine(_dataDirectory, "backup.db");

        var backup = await CommandRun.RunAsync(BackupCommand.CreateBackup(Host(settings)), "backup", "--to", target);
        var restore = await CommandRun.RunAsync(BackupCommand.CreateRestore(Host(settings)), "restore", "--from", target);

        Assert.Equal(1, backup.Code);
        Assert.Contains("Storage:Provider=Postgres", backup.Error, StringComparison.Ordinal);
        Assert.Contains("pg_dump --format=custom", backup.Error, StringComparison.Ordinal);
        Assert.Equal(1, restore.Code);
        Assert.Contains("pg_restore", restore.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }
}
