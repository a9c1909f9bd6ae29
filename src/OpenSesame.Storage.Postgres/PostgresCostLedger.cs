using Npgsql;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Storage.Postgres;

/// <summary>
/// The cost ledger in PostgreSQL, as the SQLite one: costs in whole nano-dollars (exact integer sums), a trigger that
/// refuses updates. PostgreSQL sums bigints as numeric and counts as bigint; the queries cast back to what they read.
/// </summary>
internal sealed class PostgresCostLedger(PostgresDatabase database) : ICostLedger
{
    public async Task RecordAsync(CostEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO cost_ledger (at_ms, prediction_id, user_id, session_id, model, input_tokens, output_tokens, cost_nano_usd, cache_hit)
            VALUES (@at, @id, @user, @session, @model, @input, @output, @cost, @cache)
            """, connection);
        command.Parameters.AddWithValue("at", entry.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("id", entry.PredictionId);
        command.Parameters.AddText("user", entry.UserId);
        command.Parameters.AddText("session", entry.SessionId);
        command.Parameters.AddWithValue("model", entry.Model);
        command.Parameters.AddWithValue("input", entry.InputTokens);
        command.Parameters.AddWithValue("output", entry.OutputTokens);
        command.Parameters.AddWithValue("cost", SpendTotals.ToNano(entry.CostUsd));
        command.Parameters.AddWithValue("cache", entry.CacheHit ? 1 : 0);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<decimal> SpendAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT COALESCE(SUM(cost_nano_usd), 0)::bigint FROM cost_ledger WHERE at_ms >= @since AND at_ms < @until", connection);
        AddRange(command, since, until);
        var nano = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return SpendTotals.ToUsd(nano);
    }

    public async Task<IReadOnlyList<SpendGroup>> SpendByAsync(CostGrouping grouping, DateTimeOffset since, DateTimeOffset until,
        int limit, CancellationToken cancellationToken)
    {
        var key = grouping switch
        {
            CostGrouping.User => "user_id",
            CostGrouping.Session => "session_id",
            CostGrouping.Model => "model",
            CostGrouping.Day => "to_char(to_timestamp(at_ms / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
            _ => throw new ArgumentOutOfRangeException(nameof(grouping), grouping, null),
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        // The key expression is one of the constants above, never input.
        await using var command = new NpgsqlCommand($"""
            SELECT {key} AS k, SUM(cost_nano_usd)::bigint AS cost, COUNT(DISTINCT prediction_id)::integer, COUNT(*)::integer,
                   SUM(input_tokens)::bigint, SUM(output_tokens)::bigint, SUM(cache_hit)::integer
            FROM cost_ledger
            WHERE at_ms >= @since AND at_ms < @until
            GROUP BY k
            ORDER BY cost DESC, k
            LIMIT @limit
            """, connection);
        AddRange(command, since, until);
        command.Parameters.AddWithValue("limit", limit);
        var groups = new List<SpendGroup>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new SpendGroup(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                SpendTotals.ToUsd(reader.GetInt64(1)),
                reader.GetInt32(2),
                reader.GetInt32(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt32(6)));
        }

        return groups;
    }

    public async Task<IReadOnlyList<decimal>> PredictionCostsAsync(DateTimeOffset since, DateTimeOffset until,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT SUM(cost_nano_usd)::bigint FROM cost_ledger
            WHERE at_ms >= @since AND at_ms < @until
            GROUP BY prediction_id
            """, connection);
        AddRange(command, since, until);
        var costs = new List<decimal>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            costs.Add(SpendTotals.ToUsd(reader.GetInt64(0)));
        }

        return costs;
    }

    private static void AddRange(NpgsqlCommand command, DateTimeOffset since, DateTimeOffset until)
    {
        command.Parameters.AddWithValue("since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("until", until.ToUnixTimeMilliseconds());
    }
}
