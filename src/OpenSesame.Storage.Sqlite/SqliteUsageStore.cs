using OpenSesame.Predictor.Usage;

namespace OpenSesame.Storage.Sqlite;

/// <summary>The usage counts in the embedded SQLite file: one row per spec and operation pair.</summary>
internal sealed class SqliteUsageStore(SqliteDatabase database) : IUsageStore
{
    public async Task<IReadOnlyList<UsageCount>> LoadAsync(string specHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT from_key, to_key, count FROM usage_transitions WHERE spec_hash = $spec";
        command.Parameters.AddWithValue("$spec", specHash);
        var counts = new List<UsageCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new UsageCount(reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
        }

        return counts;
    }

    public async Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT spec_hash, SUM(count) AS steps, COUNT(*) FROM usage_transitions
            GROUP BY spec_hash ORDER BY steps DESC, spec_hash
            """;
        var specs = new List<UsageSpec>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            specs.Add(new UsageSpec(reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2)));
        }

        return specs;
    }

    public async Task<bool> ForgetAsync(string specHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM usage_transitions WHERE spec_hash = $spec";
        command.Parameters.AddWithValue("$spec", specHash);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task AddAsync(string specHash, string fromKey, string toKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO usage_transitions (spec_hash, from_key, to_key, count) VALUES ($spec, $from, $to, 1)
            ON CONFLICT (spec_hash, from_key, to_key) DO UPDATE SET count = count + 1
            """;
        command.Parameters.AddWithValue("$spec", specHash);
        command.Parameters.AddWithValue("$from", fromKey);
        command.Parameters.AddWithValue("$to", toKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
