using Microsoft.Data.Sqlite;

namespace OpenSesame.Storage.Sqlite;

/// <summary>
/// The connection a prediction's own writes go through (its audit line, learned usage, the served-prediction log and
/// the outcome it settles), kept open with each statement compiled once. Microsoft.Data.Sqlite keeps a compiled
/// statement only as long as its command object on an open connection, so a command per write compiled every
/// statement of every record again, and the one record writer (<c>RecordWriter</c>) that every prediction waits for
/// spent most of its time on that (docs/PERFORMANCE.md, "Statements compiled once"). Writers take SQLite's lock one at a
/// time anyway; the gate keeps callers in turn on the one connection. A work that fails closes the connection and its
/// statements (an open transaction rolls back), and the next work opens them again. So does a work after
/// <see cref="Dispose"/>: the record writer may still drain its queue after the container disposed the database, and a
/// record is worth a connection opened again while the process ends.
/// </summary>
internal sealed class SqliteWriter(Func<CancellationToken, Task<SqliteConnection>> open) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private SqliteTransaction? _transaction;

    /// <summary>Runs <paramref name="work"/> alone on the writer's connection.</summary>
    public async Task<T> RunAsync<T>(Func<SqliteWriter, Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _connection ??= await open(cancellationToken);
            try
            {
                var result = await work(this);
                if (_transaction is not null)
                {
                    throw new InvalidOperationException("A write left its transaction open.");
                }

                return result;
            }
            catch
            {
                Close();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task RunAsync(Func<SqliteWriter, Task> work, CancellationToken cancellationToken) =>
        RunAsync(async writer =>
        {
            await work(writer);
            return true;
        }, cancellationToken);

    /// <summary>The statement for <paramref name="sql"/> (a constant text: each one is kept), without parameters, in
    /// the transaction <see cref="BeginAsync"/> began if one is open. Not to be disposed by the caller.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Parameters.Clear();
        command.Transaction = _transaction;
        return command;
    }

    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("A transaction is already open.");
        }

        _transaction = (SqliteTransaction)await Connection.BeginTransactionAsync(cancellationToken);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        var transaction = _transaction ?? throw new InvalidOperationException("No transaction is open.");
        await transaction.CommitAsync(cancellationToken);
        await transaction.DisposeAsync();
        _transaction = null;
    }

    /// <summary>Closes the connection and its statements; a later work opens them again.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            Close();
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteConnection Connection => _connection ?? throw new InvalidOperationException("Only within RunAsync.");

    private void Close()
    {
        _transaction?.Dispose();
        _transaction = null;
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        _connection?.Dispose();
        _connection = null;
    }
}
