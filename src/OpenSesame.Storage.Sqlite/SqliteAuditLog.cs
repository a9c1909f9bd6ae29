using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenSesame.Predictor.Guardrails.Audit;

namespace OpenSesame.Storage.Sqlite;

/// <summary>The audit trail in the embedded SQLite file; a trigger refuses updates, so rows are append-only.</summary>
public sealed class SqliteAuditLog(SqliteDatabase database) : IAuditLog
{
    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken) =>
        database.Writer.RunAsync(writer => AppendAsync(writer, record, cancellationToken), cancellationToken);

    private static async Task AppendAsync(SqliteWriter writer, AuditRecord record, CancellationToken cancellationToken)
    {
        var command = writer.Command("""
            INSERT INTO audit_log (at_ms, prediction_id, user_id, session_id, spec_hash, prompt, endpoints, model, latency_ms, cost_usd, flags)
            VALUES ($at, $id, $user, $session, $spec, $prompt, $endpoints, $model, $latency, $cost, $flags)
            """);
        command.Parameters.AddWithValue("$at", record.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$id", record.PredictionId);
        command.Parameters.AddWithValue("$user", (object?)record.UserId ?? DBNull.Value);
        command.Parameters.AddWithValue("$session", (object?)record.SessionId ?? DBNull.Value);
        command.Parameters.AddWithValue("$spec", record.SpecHash);
        command.Parameters.AddWithValue("$prompt", (object?)record.RedactedPrompt ?? DBNull.Value);
        command.Parameters.AddWithValue("$endpoints", JsonSerializer.Serialize(record.Endpoints));
        command.Parameters.AddWithValue("$model", record.ModelVersion);
        command.Parameters.AddWithValue("$latency", record.LatencyMs);
        command.Parameters.AddWithValue("$cost", record.CostUsd.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$flags", JsonSerializer.Serialize(record.Flags));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(string? userId, DateTimeOffset? since, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT at_ms, prediction_id, user_id, session_id, spec_hash, prompt, endpoints, model, latency_ms, cost_usd, flags
            FROM audit_log
            WHERE ($user IS NULL OR user_id = $user) AND at_ms >= $since
            ORDER BY at_ms DESC, rowid DESC
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$user", (object?)userId ?? DBNull.Value);
        command.Parameters.AddWithValue("$since", since?.ToUnixTimeMilliseconds() ?? long.MinValue);
        command.Parameters.AddWithValue("$limit", limit);
        var records = new List<AuditRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new AuditRecord(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                JsonSerializer.Deserialize<string[]>(reader.GetString(6)) ?? [],
                reader.GetString(7),
                reader.GetDouble(8),
                decimal.Parse(reader.GetString(9), CultureInfo.InvariantCulture),
                JsonSerializer.Deserialize<string[]>(reader.GetString(10)) ?? []));
        }

        return records;
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM audit_log WHERE at_ms < $cutoff";
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
