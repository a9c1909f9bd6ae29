namespace OpenSesame.Predictor.Storage;

/// <summary>
/// Copies the whole store to one file and back (<c>opensesame backup</c> / <c>restore</c>). Both may run while the
/// service does: each is one consistent snapshot, taken or put back under the store's own locking, so a copy never
/// holds half a write. A restore replaces everything the store holds; a running service keeps what it has in memory
/// (the running budget, learned usage) until it restarts.
/// </summary>
public interface IStoreBackup
{
    /// <summary>Writes a snapshot of the store to <paramref name="path"/>, which must not exist yet.</summary>
    /// <returns>The rows of each table in the copy.</returns>
    /// <exception cref="StoreBackupException">The file exists, or cannot be written.</exception>
    Task<IReadOnlyList<TableRows>> BackupAsync(string path, CancellationToken cancellationToken);

    /// <summary>Replaces the store's content with the snapshot in <paramref name="path"/>, after checking it is one.</summary>
    /// <returns>The rows of each table restored.</returns>
    /// <exception cref="StoreBackupException">The file is missing, damaged, or not a snapshot of this store.</exception>
    Task<IReadOnlyList<TableRows>> RestoreAsync(string path, CancellationToken cancellationToken);
}

/// <summary>How many rows a table holds.</summary>
public sealed record TableRows(string Table, long Rows);

/// <summary>A backup or restore that cannot be made, with a message for the person who asked.</summary>
public sealed class StoreBackupException(string message, Exception? inner = null) : Exception(message, inner);
