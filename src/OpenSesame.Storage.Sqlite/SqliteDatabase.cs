using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;
using OpenSesame.Predictor.Usage;
using SQLitePCL;

namespace OpenSesame.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode. A connection per operation (pooled by the provider)
/// keeps concurrent requests independent; writers take the lock up front and wait on busy_timeout, not fail. A
/// prediction's own writes go through <see cref="Writer"/> instead, one connection with its statements compiled once.
/// <para>The schema is made on first use. Its steps are idempotent (tables and indexes if missing, columns added
/// after a table first shipped), so a file of any earlier release is completed in place; <c>PRAGMA user_version</c>
/// records the version reached, which <c>opensesame migrate</c> reports.</para>
/// </summary>
public sealed class SqliteDatabase : IStoreMigrations, IDisposable
{
    /// <summary>The schema this build makes: 1, every table of the store as of the release that began counting.</summary>
    public const int SchemaVersion = 1;

    // The native connections already configured (each maps to itself), kept only as long as the pool keeps them.
    private static readonly ConditionalWeakTable<sqlite3, sqlite3> Configured = new();

    private readonly string _connectionString;
    private readonly string _path;
    private readonly Lazy<Task<MigrationReport>> _schema;

    public SqliteDatabase(IOptions<StorageOptions> options)
    {
        var path = _path = Path.GetFullPath(options.Value.DatabasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _schema = new Lazy<Task<MigrationReport>>(CreateSchemaAsync);
        Writer = new SqliteWriter(OpenAsync);
    }

    /// <summary>The connection for a prediction's own writes, its statements compiled once.</summary>
    internal SqliteWriter Writer { get; }

    public string Store => $"SQLite file {_path}";

    /// <summary>Makes or completes the schema (once per process; the first use does it anyway).</summary>
    public Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken) => _schema.Value.WaitAsync(cancellationToken);

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await _schema.Value;
        return await OpenRawAsync(cancellationToken);
    }

    public void Dispose() => Writer.Dispose();

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Both settings belong to the native connection, which the pool keeps open between uses: set them once per
        // native connection, not on every open (a statement to parse and run for every record written).
        if (connection.Handle is { } handle && !Configured.TryGetValue(handle, out _))
        {
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            Configured.AddOrUpdate(handle, handle);
        }

        return connection;
    }

    private async Task<MigrationReport> CreateSchemaAsync()
    {
        await using var connection = await OpenRawAsync(CancellationToken.None);
        using var version = connection.CreateCommand();
        // WAL cannot be entered inside a transaction; the version is read and the schema made inside one that holds the
        // writer lock, so processes opening a new file together make it once and only one reports the step.
        version.CommandText = "PRAGMA journal_mode = WAL";
        await version.ExecuteNonQueryAsync();
        version.CommandText = "BEGIN IMMEDIATE";
        await version.ExecuteNonQueryAsync();
        version.CommandText = "PRAGMA user_version";
        var before = Convert.ToInt32(await version.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        if (before >= SchemaVersion)
        {
            version.CommandText = "COMMIT";
            await version.ExecuteNonQueryAsync();
            return new MigrationReport(Store, [], before);
        }

        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS spec_documents (
                url TEXT PRIMARY KEY,
                content_hash TEXT NOT NULL,
                fetched_at_ms INTEGER NOT NULL,
                content TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS operation_embeddings (
                content_hash TEXT NOT NULL,
                version TEXT NOT NULL,
                texts_hash TEXT NOT NULL,
                count INTEGER NOT NULL,
                dimensions INTEGER NOT NULL,
                vectors BLOB NOT NULL,
                PRIMARY KEY (content_hash, version)
            );
            CREATE TABLE IF NOT EXISTS audit_log (
                at_ms INTEGER NOT NULL,
                prediction_id TEXT NOT NULL,
                user_id TEXT,
                session_id TEXT,
                spec_hash TEXT NOT NULL,
                prompt TEXT,
                endpoints TEXT NOT NULL,
                model TEXT NOT NULL,
                latency_ms REAL NOT NULL,
                cost_usd TEXT NOT NULL,
                flags TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS audit_log_user_at ON audit_log (user_id, at_ms);
            CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at_ms);
            CREATE TRIGGER IF NOT EXISTS audit_log_append_only BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TABLE IF NOT EXISTS cost_ledger (
                at_ms INTEGER NOT NULL,
                prediction_id TEXT NOT NULL,
                user_id TEXT,
                session_id TEXT,
                model TEXT NOT NULL,
                input_tokens INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                cost_nano_usd INTEGER NOT NULL,
                cache_hit INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS cost_ledger_at ON cost_ledger (at_ms);
            CREATE TRIGGER IF NOT EXISTS cost_ledger_append_only BEFORE UPDATE ON cost_ledger
            BEGIN SELECT RAISE(ABORT, 'the cost ledger is append-only'); END;
            CREATE TABLE IF NOT EXISTS distributed_cache (
                key TEXT PRIMARY KEY,
                value BLOB NOT NULL,
                expires_at_ms INTEGER,
                sliding_ms INTEGER,
                absolute_expires_at_ms INTEGER
            );
            CREATE INDEX IF NOT EXISTS distributed_cache_expires ON distributed_cache (expires_at_ms);
            CREATE TABLE IF NOT EXISTS usage_ngrams (
                spec_hash TEXT NOT NULL,
                scope TEXT NOT NULL,
                context TEXT NOT NULL,
                next_key TEXT NOT NULL,
                weight REAL NOT NULL,
                updated_at_ms INTEGER NOT NULL,
                PRIMARY KEY (spec_hash, scope, context, next_key)
            );
            CREATE TABLE IF NOT EXISTS served_predictions (
                seq INTEGER PRIMARY KEY,
                prediction_id TEXT NOT NULL UNIQUE,
                at_ms INTEGER NOT NULL,
                user_id TEXT,
                session_id TEXT,
                spec_hash TEXT NOT NULL,
                model TEXT NOT NULL,
                history_length INTEGER NOT NULL,
                history_hash TEXT NOT NULL,
                served INTEGER NOT NULL,
                endpoints TEXT NOT NULL,
                scores TEXT NOT NULL,
                feature_count INTEGER NOT NULL,
                features BLOB NOT NULL
            );
            CREATE INDEX IF NOT EXISTS served_predictions_session ON served_predictions (session_id, user_id, seq);
            CREATE INDEX IF NOT EXISTS served_predictions_at ON served_predictions (at_ms);
            CREATE TABLE IF NOT EXISTS prediction_outcomes (
                prediction_id TEXT PRIMARY KEY,
                at_ms INTEGER NOT NULL,
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                chosen TEXT,
                rank INTEGER
            );
            """;
        await command.ExecuteNonQueryAsync();
        await CompleteOlderFileAsync(connection);
        await CreateRetrainTablesAsync(connection);
        version.CommandText = $"PRAGMA user_version = {SchemaVersion}; COMMIT;";
        await version.ExecuteNonQueryAsync();
        return new MigrationReport(Store,
            [new MigrationStep(SchemaVersion, "tables, indexes and columns of the store, made or completed in place")], SchemaVersion);
    }

    // The queue of retraining runs (SqliteRetrainRequests): requested by the service, claimed by a worker process.
    private static async Task CreateRetrainTablesAsync(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS retrain_requests (
                id TEXT PRIMARY KEY,
                trigger TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                requested_at_ms INTEGER NOT NULL,
                state TEXT NOT NULL,
                worker TEXT,
                started_at_ms INTEGER,
                finished_at_ms INTEGER,
                candidate TEXT,
                message TEXT
            );
            CREATE INDEX IF NOT EXISTS retrain_requests_state ON retrain_requests (state, requested_at_ms);
            CREATE INDEX IF NOT EXISTS retrain_requests_started ON retrain_requests (started_at_ms);
            """;
        await command.ExecuteNonQueryAsync();
    }

    // Databases outlive releases: columns added after a table first shipped are added here, never by recreating it.
    private static async Task CompleteOlderFileAsync(SqliteConnection connection)
    {
        // The fingerprint of the feature list a prediction's vectors follow (FeatureFingerprint); null in older rows.
        await AddColumnIfMissingAsync(connection, "served_predictions", "feature_list", "TEXT");
        await AddColumnIfMissingAsync(connection, "served_predictions", "caller", "TEXT");
        await MigrateUsageAsync(connection);
    }

    private static async Task AddColumnIfMissingAsync(SqliteConnection connection, string table, string column, string type)
    {
        if (await HasColumnAsync(connection, table, column))
        {
            return;
        }

        using var alter = connection.CreateCommand();
        alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {type}";
        try
        {
            await alter.ExecuteNonQueryAsync();
        }
        catch (SqliteException)
        {
            // Another process opening the same file may have added it first; anything else is a real failure.
            if (!await HasColumnAsync(connection, table, column))
            {
                throw;
            }
        }
    }

    private static async Task<bool> HasColumnAsync(SqliteConnection connection, string table, string column)
    {
        using var info = connection.CreateCommand();
        info.CommandText = "SELECT 1 FROM pragma_table_info($table) WHERE name = $column";
        info.Parameters.AddWithValue("$table", table);
        info.Parameters.AddWithValue("$column", column);
        return await info.ExecuteScalarAsync() is not null;
    }

    // Stores made before variable-order usage kept operation pairs; they carry over as order-1 contexts (and, summed
    // per operation, the order-0 one), stamped now, so nothing learned is lost. Longer contexts start empty. Stores
    // made before callers were told apart kept one crowd layer (scope ''); both become the local caller's layer, whose
    // steps count for the process itself (the CLI, a replay) and, like any one caller's, not alone for others.
    private static async Task MigrateUsageAsync(SqliteConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'usage_transitions'";
        var firstOrder = Convert.ToInt64(await exists.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;

        using var migrate = connection.CreateCommand();
        migrate.CommandText = (firstOrder ? """
            INSERT OR IGNORE INTO usage_ngrams (spec_hash, scope, context, next_key, weight, updated_at_ms)
                SELECT spec_hash, $local, CASE from_key WHEN '' THEN '^' ELSE from_key END, to_key, count, unixepoch() * 1000
                FROM usage_transitions;
            INSERT OR IGNORE INTO usage_ngrams (spec_hash, scope, context, next_key, weight, updated_at_ms)
                SELECT spec_hash, $local, '', to_key, SUM(count), unixepoch() * 1000 FROM usage_transitions GROUP BY spec_hash, to_key;
            DROP TABLE usage_transitions;
            """ : "") + """
            UPDATE OR IGNORE usage_ngrams SET scope = $local WHERE scope = '';
            DELETE FROM usage_ngrams WHERE scope = '';
            """;
        migrate.Parameters.AddWithValue("$local", UsageScopes.Local);
        await migrate.ExecuteNonQueryAsync();
    }
}
