using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Postgres;

/// <summary>
/// The PostgreSQL store: one pooled <see cref="NpgsqlDataSource"/> per process, a connection per operation. The schema
/// is brought up to date (<see cref="PostgresMigrations"/>) at start and, should the server have been away then, before
/// the first connection is handed out; a failed attempt is tried again by the next caller.
/// </summary>
public sealed class PostgresDatabase : IStoreMigrations, IAsyncDisposable, IDisposable
{
    // pg_advisory_xact_lock's key for schema changes: any constant the service uses for nothing else ("OSMIGR").
    private const long MigrationLock = 0x4F534D49_4752;

    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _migrating = new(1, 1);
    private readonly List<MigrationStep> _applied = [];
    private int _version = -1;

    public PostgresDatabase(IOptions<PostgresOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _source = NpgsqlDataSource.Create(options.Value.ConnectionString);
        _time = time;
        var settings = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString);
        Description = $"PostgreSQL database {settings.Database ?? settings.Username} on {settings.Host}:{settings.Port}";
    }

    /// <summary>Which server and database, for messages (never the password).</summary>
    public string Description { get; }

    public string Store => Description;

    /// <summary>The newest version of the schema this build knows.</summary>
    public static int LatestVersion => PostgresMigrations.All[^1].Version;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _version) < LatestVersion)
        {
            await MigrateAsync(cancellationToken);
        }

        return await _source.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>A connection without the schema check, for what must work on any database (the health check).</summary>
    internal ValueTask<NpgsqlConnection> OpenUncheckedAsync(CancellationToken cancellationToken) =>
        _source.OpenConnectionAsync(cancellationToken);

    /// <summary>Applies the missing steps in one transaction that first takes an advisory lock, so instances starting
    /// together apply each step once: the second waits for the first to commit, then finds nothing left to do.</summary>
    public async Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrating.WaitAsync(cancellationToken);
        try
        {
            if (_version < LatestVersion)
            {
                await using var connection = await _source.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken);
                await ExecuteAsync(connection, transaction, """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at_ms bigint NOT NULL
                    )
                    """, cancellationToken);
                var present = await AppliedVersionsAsync(connection, transaction, cancellationToken);
                var applied = new List<MigrationStep>();
                foreach (var step in PostgresMigrations.All.Where(s => !present.Contains(s.Version)))
                {
                    await ExecuteAsync(connection, transaction, step.Sql, cancellationToken);
                    await using var record = new NpgsqlCommand(
                        "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (@version, @name, @at)", connection, transaction);
                    record.Parameters.AddWithValue("version", step.Version);
                    record.Parameters.AddWithValue("name", step.Name);
                    record.Parameters.AddWithValue("at", _time.GetUtcNow().ToUnixTimeMilliseconds());
                    await record.ExecuteNonQueryAsync(cancellationToken);
                    applied.Add(new MigrationStep(step.Version, step.Name));
                }

                await transaction.CommitAsync(cancellationToken);
                _applied.AddRange(applied);
                Volatile.Write(ref _version, Math.Max(LatestVersion, present.Count == 0 ? 0 : present.Max()));
            }

            return new MigrationReport(Description, [.. _applied], _version);
        }
        finally
        {
            _migrating.Release();
        }
    }

    private static async Task<HashSet<int>> AppliedVersionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new HashSet<int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        _migrating.Dispose();
    }

    public void Dispose()
    {
        _source.Dispose();
        _migrating.Dispose();
    }
}

/// <summary>Parameters whose value may be null: Npgsql needs their type, which a null alone does not give.</summary>
internal static class NullableParameters
{
    public static void AddText(this NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    public static void AddBigint(this NpgsqlParameterCollection parameters, string name, long? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = (object?)value ?? DBNull.Value });

    public static void AddInteger(this NpgsqlParameterCollection parameters, string name, int? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer) { Value = (object?)value ?? DBNull.Value });
}
