using Microsoft.Data.Sqlite;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Storage.Sqlite;

/// <summary>
/// The cost ledger in the embedded SQLite file. Costs are stored as whole nano-dollars: a token of the cheapest
/// default model costs 250 of them, so sums in SQL are exact integers (a REAL column would drift, a TEXT one could not
/// be summed). A trigger refuses updates: what was spent stays spent.
/// </summary>
internal sealed class SqliteCostLedger(SqliteDatabase database) : ICostLedger
{
    public async Task RecordAsync(CostEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO cost_ledger (at_ms, prediction_id, user_id, session_id, model, input_tokens, output_tokens, cost_nano_usd, cache_hit)
            VALUES ($at, $id, $user, $session, $model, $input, $output, $cost, $cache)
            """;
        command.Parameters.AddWithValue("$at", entry.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$id", entry.PredictionId);
        command.Parameters.AddWithValue("$user", (object?)entry.UserId ?? DBNull.Value);
        command.Parameters.AddWithValue("$session", (object?)entry.SessionId ?? DBNull.Value);
        command.Parameters.AddWithValue("$model", entry.Model);
        command.Parameters.AddWithValue("$input", entry.InputTokens);
        command.Parameters.AddWithValue("$output", entry.OutputTokens);
        command.Parameters.AddWithValue("$cost", SpendTotals.ToNano(entry.CostUsd));
        command.Parameters.AddWithValue("$cache", entry.CacheHit ? 1 : 0);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<decimal> SpendAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(cost_nano_usd), 0) FROM cost_ledger WHERE at_ms >= $since AND at_ms < $until";
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
            CostGrouping.Day => "strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch')",
            _ => throw new ArgumentOutOfRangeException(nameof(grouping), grouping, null),
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        // The key expression is one of the constants above, never input.
        command.CommandText = $"""
            SELECT {key} AS k, SUM(cost_nano_usd) AS cost, COUNT(DISTINCT prediction_id), COUNT(*),
                   SUM(input_tokens), SUM(output_tokens), SUM(cache_hit)
            FROM cost_ledger
            WHERE at_ms >= $since AND at_ms < $until
            GROUP BY k
            ORDER BY cost DESC, k
            LIMIT $limit
            """;
        AddRange(command, since, until);
        command.Parameters.AddWithValue("$limit", limit);
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
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT SUM(cost_nano_usd) FROM cost_ledger
            WHERE at_ms >= $since AND at_ms < $until
            GROUP BY prediction_id
            """;
        AddRange(command, since, until);
        var costs = new List<decimal>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            costs.Add(SpendTotals.ToUsd(reader.GetInt64(0)));
        }

        return costs;
    }

    private static void AddRange(SqliteCommand command, DateTimeOffset since, DateTimeOffset until)
    {
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
    }
}
