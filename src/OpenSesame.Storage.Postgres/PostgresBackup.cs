using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Postgres;

/// <summary><c>opensesame backup</c> and <c>restore</c> copy the SQLite file; a PostgreSQL store is backed up with the
/// server's own tools, which take consistent snapshots of a live database and restore them elsewhere. Both refuse with
/// the command to use instead.</summary>
internal sealed class PostgresBackup(PostgresDatabase database) : IStoreBackup
{
    public Task<IReadOnlyList<TableRows>> BackupAsync(string path, CancellationToken cancellationToken) =>
        throw new StoreBackupException(
            $"The store is the {database.Description} (Storage:Provider=Postgres); 'opensesame backup' copies only the SQLite "
            + "store. Back it up with pg_dump: pg_dump --format=custom --file=opensesame.dump \"<connection>\".");

    public Task<IReadOnlyList<TableRows>> RestoreAsync(string path, CancellationToken cancellationToken) =>
        throw new StoreBackupException(
            $"The store is the {database.Description} (Storage:Provider=Postgres); 'opensesame restore' restores only the "
            + "SQLite store. Restore a pg_dump archive with pg_restore: pg_restore --clean --if-exists --dbname=\"<connection>\" opensesame.dump.");
}
