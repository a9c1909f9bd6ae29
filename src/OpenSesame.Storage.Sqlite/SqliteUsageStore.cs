using Microsoft.Data.Sqlite;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Storage.Sqlite;

/// <summary>The learned usage in the embedded SQLite file: one row per spec, layer, context and next operation, its
/// weight faded to its last update inside the upsert, so concurrent writers (other instances too) never lose a step.</summary>
internal sealed class SqliteUsageStore(SqliteDatabase database) : IUsageStore
{
    // Far beyond any deployment's lifetime: a weight that never fades.
    private const double NeverSeconds = 1e15;

    // The crowd is every caller's layer, i.e. every layer but the users' (UsageScopes.IsCaller).
    private const string CallerScopes = "scope NOT LIKE $users";

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

    public async IAsyncEnumerable<CallerUsageRow> LoadCallersAsync(string specHash,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT scope, context, next_key, weight, updated_at_ms FROM usage_ngrams WHERE spec_hash = $spec AND {CallerScopes}";
        command.Parameters.AddWithValue("$spec", specHash);
        command.Parameters.AddWithValue("$users", UsageScopes.UserPrefix + "%");
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
        using var command = connection.CreateCommand();
        // Every step is counted once at order 0 (the empty context), so those rows sum a caller's steps.
        command.CommandText = $"""
            SELECT scope, SUM(weight) AS steps, SUM(SUM(weight)) OVER () FROM usage_ngrams
            WHERE spec_hash = $spec AND context = '' AND {CallerScopes}
            GROUP BY scope ORDER BY steps DESC, scope LIMIT $top
            """;
        command.Parameters.AddWithValue("$spec", specHash);
        command.Parameters.AddWithValue("$users", UsageScopes.UserPrefix + "%");
        command.Parameters.AddWithValue("$top", top);
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
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT spec_hash,
                   SUM(CASE WHEN context = '' THEN weight ELSE 0 END) AS steps,
                   COUNT(DISTINCT CASE WHEN context <> '' AND instr(context, char(10)) = 0 THEN context || char(10) || next_key END)
            FROM usage_ngrams WHERE {CallerScopes}
            GROUP BY spec_hash ORDER BY steps DESC, spec_hash
            """;
        command.Parameters.AddWithValue("$users", UsageScopes.UserPrefix + "%");
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

    public Task AddAsync(string specHash, IReadOnlyList<UsageIncrement> increments, TimeSpan? halfLife, CancellationToken cancellationToken) =>
        database.Writer.RunAsync(writer => AddAsync(writer, specHash, increments, halfLife, cancellationToken), cancellationToken);

    private static async Task AddAsync(SqliteWriter writer, string specHash, IReadOnlyList<UsageIncrement> increments, TimeSpan? halfLife,
        CancellationToken cancellationToken)
    {
        await writer.BeginAsync(cancellationToken);
        // The stored weight fades from its last update to this step's time, or this step's from its time to the last
        // update when it arrives late: either way both count as of the later time.
        var command = writer.Command("""
            INSERT INTO usage_ngrams (spec_hash, scope, context, next_key, weight, updated_at_ms)
            VALUES ($spec, $scope, $context, $next, $weight, $at)
            ON CONFLICT (spec_hash, scope, context, next_key) DO UPDATE SET
                weight = weight * pow(0.5, max(0, $at - updated_at_ms) / 1000.0 / $half)
                         + $weight * pow(0.5, max(0, updated_at_ms - $at) / 1000.0 / $half),
                updated_at_ms = max(updated_at_ms, $at)
            """);
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

        await writer.CommitAsync(cancellationToken);
    }
}
