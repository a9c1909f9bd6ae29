using Microsoft.Data.Sqlite;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite;

/// <summary>
/// Backup and restore through SQLite's online backup API: it copies page by page under the database's own locks, so
/// the copy is one consistent snapshot even while the service writes (WAL content included), and a restore reaches
/// the running service's connections as one change. A backup is written beside its target first and moved into place,
/// so a failed one leaves no half file behind.
/// </summary>
public sealed class SqliteBackup(SqliteDatabase database) : IStoreBackup
{
    // Every snapshot of this store has it since the first version; other SQLite files are refused.
    private const string MarkerTable = "audit_log";

    public async Task<IReadOnlyList<TableRows>> BackupAsync(string path, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(path);
        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new StoreBackupException($"{target} already exists; give a new file name (a backup never overwrites).");
        }

        var partial = target + ".partial";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Delete(partial);
            await using (var live = await database.OpenAsync(cancellationToken))
            await using (var copy = Open(partial, SqliteOpenMode.ReadWriteCreate))
            {
                live.BackupDatabase(copy);
            }

            var rows = await CountAsync(partial, cancellationToken);
            File.Move(partial, target);
            return rows;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
        {
            File.Delete(partial);
            throw new StoreBackupException($"The backup to {target} failed: {ex.Message}", ex);
        }
    }

    public async Task<IReadOnlyList<TableRows>> RestoreAsync(string path, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(path);
        if (!File.Exists(source))
        {
            throw new StoreBackupException($"{source} does not exist.");
        }

        try
        {
            await using var snapshot = Open(source, SqliteOpenMode.ReadOnly);
            var check = (string?)await Scalar(snapshot, "PRAGMA quick_check", cancellationToken);
            if (check != "ok")
            {
                throw new StoreBackupException($"{source} is damaged (SQLite's quick_check: {check}); nothing was restored.");
            }

            if (!(await TablesAsync(snapshot, cancellationToken)).Contains(MarkerTable))
            {
                throw new StoreBackupException($"{source} is an SQLite file but not an OpenSesame backup (it has no {MarkerTable} table); nothing was restored.");
            }

            await using (var live = await database.OpenAsync(cancellationToken))
            {
                snapshot.BackupDatabase(live);
            }

            return await CountAsync(snapshot, cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw new StoreBackupException($"{source} cannot be restored: {ex.Message}", ex);
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        // Unpooled: a pooled connection would keep the file open after the command ends, and the file is moved next.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static async Task<IReadOnlyList<TableRows>> CountAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = Open(path, SqliteOpenMode.ReadOnly);
        return await CountAsync(connection, cancellationToken);
    }

    private static async Task<IReadOnlyList<TableRows>> CountAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var rows = new List<TableRows>();
        foreach (var table in await TablesAsync(connection, cancellationToken))
        {
            rows.Add(new TableRows(table, (long)(await Scalar(connection, $"SELECT count(*) FROM \"{table}\"", cancellationToken))!));
        }

        return rows;
    }

    private static async Task<List<string>> TablesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tables = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<object?> Scalar(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
