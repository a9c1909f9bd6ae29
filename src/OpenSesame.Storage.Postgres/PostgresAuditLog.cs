using System.Text.Json;
using Npgsql;
using OpenSesame.Predictor.Guardrails.Audit;

namespace OpenSesame.Storage.Postgres;

/// <summary>The audit trail in PostgreSQL; a trigger refuses updates, so rows are append-only.</summary>
internal sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    public async Task AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO audit_log (at_ms, prediction_id, user_id, session_id, spec_hash, prompt, endpoints, model, latency_ms, cost_usd, flags)
            VALUES (@at, @id, @user, @session, @spec, @prompt, @endpoints, @model, @latency, @cost, @flags)
            """, connection);
        command.Parameters.AddWithValue("at", record.At.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("id", record.PredictionId);
        command.Parameters.AddText("user", record.UserId);
        command.Parameters.AddText("session", record.SessionId);
        command.Parameters.AddWithValue("spec", record.SpecHash);
        command.Parameters.AddText("prompt", record.RedactedPrompt);
        command.Parameters.AddWithValue("endpoints", JsonSerializer.Serialize(record.Endpoints));
        command.Parameters.AddWithValue("model", record.ModelVersion);
        command.Parameters.AddWithValue("latency", record.LatencyMs);
        command.Parameters.AddWithValue("cost", record.CostUsd);
        command.Parameters.AddWithValue("flags", JsonSerializer.Serialize(record.Flags));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(string? userId, DateTimeOffset? since, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT at_ms, prediction_id, user_id, session_id, spec_hash, prompt, endpoints, model, latency_ms, cost_usd, flags
            FROM audit_log
            WHERE (@user::text IS NULL OR user_id = @user) AND at_ms >= @since
            ORDER BY at_ms DESC, seq DESC
            LIMIT @limit
            """, connection);
        command.Parameters.AddText("user", userId);
        command.Parameters.AddWithValue("since", since?.ToUnixTimeMilliseconds() ?? long.MinValue);
        command.Parameters.AddWithValue("limit", limit);
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
                reader.GetDecimal(9),
                JsonSerializer.Deserialize<string[]>(reader.GetString(10)) ?? []));
        }

        return records;
    }

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM audit_log WHERE at_ms < @cutoff", connection);
        command.Parameters.AddWithValue("cutoff", cutoff.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
