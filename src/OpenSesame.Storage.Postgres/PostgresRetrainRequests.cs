using Npgsql;
using OpenSesame.Predictor.Learning;

namespace OpenSesame.Storage.Postgres;

/// <summary>
/// Retraining requests in PostgreSQL (<c>retrain_requests</c>), shared by the service and every worker on the database.
/// Each change that depends on what the table holds (coalescing a request, claiming, starting one only when idle) runs
/// in one transaction that first takes a transaction-scoped advisory lock, as SQLite's <c>BEGIN IMMEDIATE</c> takes
/// its writer lock: two processes cannot both see a request waiting and both claim it, nor both find the queue idle.
/// </summary>
internal sealed class PostgresRetrainRequests(PostgresDatabase database) : IRetrainRequests
{
    // pg_advisory_xact_lock's key for the queue: any constant the service uses for nothing else ("OSRETR").
    private const long QueueLock = 0x4F535245_5452;

    private const string Columns = """
        id, trigger, requested_by, requested_at_ms, state, worker, started_at_ms, finished_at_ms, candidate, message
        """;

    private static readonly string Pending = RetrainNames.Of(RetrainState.Pending);
    private static readonly string Running = RetrainNames.Of(RetrainState.Running);

    public async Task<RetrainRequest> RequestAsync(RetrainTrigger trigger, string requestedBy, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        var (connection, transaction) = await BeginLockedAsync(cancellationToken);
        await using (connection)
        await using (transaction)
        {
            var waiting = await ReadOneAsync(connection, transaction, $"""
                SELECT {Columns} FROM retrain_requests WHERE state = @pending ORDER BY requested_at_ms, seq LIMIT 1
                """, cancellationToken);
            var request = waiting ?? await InsertAsync(connection, transaction,
                new RetrainRequest(NewId(), trigger, requestedBy, at, RetrainState.Pending), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return request;
        }
    }

    public async Task<RetrainRequest?> ClaimNewAsync(RetrainTrigger trigger, string requestedBy, string worker, DateTimeOffset at,
        DateTimeOffset staleBefore, bool onlyIfIdle, CancellationToken cancellationToken)
    {
        var (connection, transaction) = await BeginLockedAsync(cancellationToken);
        await using (connection)
        await using (transaction)
        {
            if (onlyIfIdle && await ReadOneAsync(connection, transaction, $"""
                    SELECT {Columns} FROM retrain_requests
                    WHERE state = @pending OR (state = @running AND started_at_ms >= @stale)
                    LIMIT 1
                    """, cancellationToken, staleBefore) is not null)
            {
                return null;
            }

            var request = await InsertAsync(connection, transaction,
                new RetrainRequest(NewId(), trigger, requestedBy, at, RetrainState.Running, worker, at), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return request;
        }
    }

    public async Task<RetrainRequest?> ClaimNextAsync(string worker, DateTimeOffset at, DateTimeOffset staleBefore,
        CancellationToken cancellationToken)
    {
        var (connection, transaction) = await BeginLockedAsync(cancellationToken);
        await using (connection)
        await using (transaction)
        {
            var next = await ReadOneAsync(connection, transaction, $"""
                SELECT {Columns} FROM retrain_requests
                WHERE state = @pending OR (state = @running AND started_at_ms < @stale)
                ORDER BY requested_at_ms, seq LIMIT 1
                """, cancellationToken, staleBefore);
            if (next is null)
            {
                return null;
            }

            await using (var command = new NpgsqlCommand("""
                UPDATE retrain_requests SET state = @running, worker = @worker, started_at_ms = @at, finished_at_ms = NULL,
                                            candidate = NULL, message = NULL
                WHERE id = @id
                """, connection, transaction))
            {
                command.Parameters.AddWithValue("running", Running);
                command.Parameters.AddWithValue("worker", worker);
                command.Parameters.AddWithValue("at", at.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("id", next.Id);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return next with { State = RetrainState.Running, Worker = worker, StartedAt = at, FinishedAt = null, Candidate = null, Message = null };
        }
    }

    public async Task<bool> FinishAsync(string id, string worker, RetrainState state, string? candidate, string message,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            UPDATE retrain_requests SET state = @state, finished_at_ms = @at, candidate = @candidate, message = @message
            WHERE id = @id AND worker = @worker AND state = @running
            """, connection);
        command.Parameters.AddWithValue("state", RetrainNames.Of(state));
        command.Parameters.AddWithValue("at", at.ToUnixTimeMilliseconds());
        command.Parameters.AddText("candidate", candidate);
        command.Parameters.AddWithValue("message", message);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("worker", worker);
        command.Parameters.AddWithValue("running", Running);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<RetrainRequest?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM retrain_requests WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<RetrainRequest>> RecentAsync(int count, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM retrain_requests ORDER BY requested_at_ms DESC, seq DESC LIMIT @count", connection);
        command.Parameters.AddWithValue("count", count);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<RetrainRequest?> LastStartedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT {Columns} FROM retrain_requests WHERE started_at_ms IS NOT NULL
            ORDER BY started_at_ms DESC, seq DESC LIMIT 1
            """, connection);
        return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    // Random, so ids reveal nothing and two processes never make the same one.
    private static string NewId() => "rt-" + Guid.NewGuid().ToString("n");

    private async Task<(NpgsqlConnection, NpgsqlTransaction)> BeginLockedAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({QueueLock})", connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return (connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<RetrainRequest> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        RetrainRequest request, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            INSERT INTO retrain_requests ({Columns})
            VALUES (@id, @trigger, @by, @requested, @state, @worker, @started, NULL, NULL, NULL)
            """, connection, transaction);
        command.Parameters.AddWithValue("id", request.Id);
        command.Parameters.AddWithValue("trigger", RetrainNames.Of(request.Trigger));
        command.Parameters.AddWithValue("by", request.RequestedBy);
        command.Parameters.AddWithValue("requested", request.RequestedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("state", RetrainNames.Of(request.State));
        command.Parameters.AddText("worker", request.Worker);
        command.Parameters.AddBigint("started", request.StartedAt?.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
        return request;
    }

    private static async Task<RetrainRequest?> ReadOneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken, DateTimeOffset? staleBefore = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("pending", Pending);
        command.Parameters.AddWithValue("running", Running);
        command.Parameters.AddWithValue("stale", (staleBefore ?? DateTimeOffset.MinValue).ToUnixTimeMilliseconds());
        return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    private static async Task<List<RetrainRequest>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var requests = new List<RetrainRequest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            requests.Add(new RetrainRequest(
                reader.GetString(0),
                RetrainNames.TriggerOf(reader.GetString(1)) ?? throw new InvalidDataException($"Unknown retrain trigger '{reader.GetString(1)}'."),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                RetrainNames.StateOf(reader.GetString(4)) ?? throw new InvalidDataException($"Unknown retrain state '{reader.GetString(4)}'."),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return requests;
    }
}
