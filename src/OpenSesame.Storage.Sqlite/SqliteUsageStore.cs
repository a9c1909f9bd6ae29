using Microsoft.Data.Sqlite;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Storage.Sqlite;

/// <summary>The learned usage in the embedded SQLite file: one row per spec, layer, context and next operation, its
/// weight faded to its last update inside the upsert, so concurrent writers (other instances too) never lose a step.</summary>
internal sealed class SqliteUsageStore(SqliteDatabase database) : IUsageStore
{
    // Far beyond any deployment's lifetime: a weight that never fades.
    private const double NeverSeconds = 1e15;

    public async Task<IReadOnlyList<UsageRow>> LoadAsync(string specHash, string scope, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT context, next_key, weight, updated_at_ms FROM usage_ngrams WHERE spec_hash = $spec AND scope = $scope";
        command.Parameters.AddWithValue("$spec", specHash);
        command.Parameters.AddWithValue("$scope", scope);
        var rows = new List<UsageRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new UsageRow(reader.GetString(0), reader.GetString(1), reader.GetDouble(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return rows;
    }

    public async Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT spec_hash,
                   SUM(CASE WHEN context = '' THEN weight ELSE 0 END) AS steps,
                   SUM(CASE WHEN context <> '' AND instr(context, char(10)) = 0 THEN 1 ELSE 0 END)
            FROM usage_ngrams WHERE scope = ''
            GROUP BY spec_hash ORDER BY steps DESC, spec_hash
            """;
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
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM usage_ngrams WHERE spec_hash = $spec";
        command.Parameters.AddWithValue("$spec", specHash);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task AddAsync(string specHash, IReadOnlyList<UsageIncrement> increments, TimeSpan? halfLife, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The stored weight fades from its last update to this step's time, or this step's from its time to the last
        // update when it arrives late: either way both count as of the later time.
        command.CommandText = """
            INSERT INTO usage_ngrams (spec_hash, scope, context, next_key, weight, updated_at_ms)
            VALUES ($spec, $scope, $context, $next, $weight, $at)
            ON CONFLICT (spec_hash, scope, context, next_key) DO UPDATE SET
                weight = weight * pow(0.5, max(0, $at - updated_at_ms) / 1000.0 / $half)
                         + $weight * pow(0.5, max(0, updated_at_ms - $at) / 1000.0 / $half),
                updated_at_ms = max(updated_at_ms, $at)
            """;
        var spec = command.Parameters.AddWithValue("$spec", specHash);
        var scope = command.Parameters.Add("$scope", SqliteType.Text);
        var context = command.Parameters.Add("$context", SqliteType.Text);
        var next = command.Parameters.Add("$next", SqliteType.Text);
        var weight = command.Parameters.Add("$weight", SqliteType.Real);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        command.Parameters.AddWithValue("$half", halfLife?.TotalSeconds ?? NeverSeconds);
        foreach (var increment in increments)
        {
            scope.Value = increment.Scope;
            context.Value = increment.Context;
            next.Value = increment.Next;
            weight.Value = increment.Weight;
            at.Value = increment.At.ToUnixTimeMilliseconds();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
