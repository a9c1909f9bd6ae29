using Npgsql;
using NpgsqlTypes;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Storage.Postgres;

/// <summary>The learned usage in PostgreSQL, as in the SQLite store: one row per spec, layer, context and next operation,
/// its weight faded to its last update inside the upsert, so concurrent writers (every instance) never lose a step.</summary>
internal sealed class PostgresUsageStore(PostgresDatabase database) : IUsageStore
{
    // Far beyond any deployment's lifetime: a weight that never fades.
    private const double NeverSeconds = 1e15;

    // The crowd is every caller's layer, i.e. every layer but the users' (UsageScopes.IsCaller).
    private const string CallerScopes = "scope NOT LIKE @users";

    // PostgreSQL raises an error where a power underflows (SQLite gives 0): past 1,000 half-lives (a factor of 1e-301)
    // a weight is gone either way, so the exponent stops there.
    private static string Fade(string ageMs) => $"power(0.5, LEAST(1000, GREATEST(0, {ageMs}) / 1000.0 / @half))";

    public async Task<IReadOnlyList<UsageRow>> LoadAsync(string specHash, string scope, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT context, next_key, weight, updated_at_ms FROM usage_ngrams WHERE spec_hash = @spec AND scope = @scope", connection);
        command.Parameters.AddWithValue("spec", specHash);
        command.Parameters.AddWithValue("scope", scope);
        var rows = new List<UsageRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new UsageRow(reader.GetString(0), reader.GetString(1), reader.GetDouble(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return rows;
    }

    public async IAsyncEnumerable<CallerUsageRow> LoadCallersAsync(string specHash,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT scope, context, next_key, weight, updated_at_ms FROM usage_ngrams WHERE spec_hash = @spec AND {CallerScopes}", connection);
        command.Parameters.AddWithValue("spec", specHash);
        command.Parameters.AddWithValue("users", UsageScopes.UserPrefix + "%");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new CallerUsageRow(reader.GetString(0), new UsageRow(reader.GetString(1), reader.GetString(2), reader.GetDouble(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }
    }

    public async Task<IReadOnlyList<UsageContributor>> ContributorsAsync(string specHash, int top, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // Every step is counted once at order 0 (the empty context), so those rows sum a caller's steps.
        await using var command = new NpgsqlCommand($"""
            SELECT scope, SUM(weight) AS steps, SUM(SUM(weight)) OVER () FROM usage_ngrams
            WHERE spec_hash = @spec AND context = '' AND {CallerScopes}
            GROUP BY scope ORDER BY steps DESC, scope LIMIT @top
            """, connection);
        command.Parameters.AddWithValue("spec", specHash);
        command.Parameters.AddWithValue("users", UsageScopes.UserPrefix + "%");
        command.Parameters.AddWithValue("top", top);
        var contributors = new List<UsageContributor>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (steps, all) = (reader.GetDouble(1), reader.GetDouble(2));
            contributors.Add(new UsageContributor(reader.GetString(0), Math.Round(steps, 3), all > 0 ? Math.Round(steps / all, 4) : 0));
        }

        return contributors;
    }

    public async Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT spec_hash,
                   SUM(CASE WHEN context = '' THEN weight ELSE 0 END) AS steps,
                   COUNT(DISTINCT CASE WHEN context <> '' AND strpos(context, chr(10)) = 0 THEN context || chr(10) || next_key END)::integer
            FROM usage_ngrams WHERE {CallerScopes}
            GROUP BY spec_hash ORDER BY steps DESC, spec_hash
            """, connection);
        command.Parameters.AddWithValue("users", UsageScopes.UserPrefix + "%");
        var specs = new List<UsageSpec>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            specs.Add(new UsageSpec(reader.GetString(0), Math.Round(reader.GetDouble(1), 3), reader.GetInt32(2)));
        }

        return specs;
    }

    public async Task<bool> ForgetAsync(string specHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM usage_ngrams WHERE spec_hash = @spec", connection);
        command.Parameters.AddWithValue("spec", specHash);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task AddAsync(string specHash, IReadOnlyList<UsageIncrement> increments, TimeSpan? halfLife, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The stored weight fades from its last update to this step's time, or this step's from its time to the last
        // update when it arrives late: either way both count as of the later time. The rows of one request go in one
        // round trip (a batch), not one each, in one order for every writer: two transactions locking shared rows in
        // opposite orders would deadlock.
        await using var batch = new NpgsqlBatch(connection, transaction);
        var sql = $"""
            INSERT INTO usage_ngrams AS u (spec_hash, scope, context, next_key, weight, updated_at_ms)
            VALUES (@spec, @scope, @context, @next, @weight, @at)
            ON CONFLICT (spec_hash, scope, context, next_key) DO UPDATE SET
                weight = u.weight * {Fade("@at - u.updated_at_ms")}
                         + excluded.weight * {Fade("u.updated_at_ms - @at")},
                updated_at_ms = GREATEST(u.updated_at_ms, @at)
            """;
        foreach (var increment in increments.OrderBy(i => i.Scope, StringComparer.Ordinal)
                     .ThenBy(i => i.Context, StringComparer.Ordinal).ThenBy(i => i.Next, StringComparer.Ordinal))
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("spec", specHash);
            command.Parameters.AddWithValue("scope", increment.Scope);
            command.Parameters.AddWithValue("context", increment.Context);
            command.Parameters.AddWithValue("next", increment.Next);
            command.Parameters.AddWithValue("weight", NpgsqlDbType.Double, increment.Weight);
            command.Parameters.AddWithValue("at", increment.At.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("half", NpgsqlDbType.Double, halfLife?.TotalSeconds ?? NeverSeconds);
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
