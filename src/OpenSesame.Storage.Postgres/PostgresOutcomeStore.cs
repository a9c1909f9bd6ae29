using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Postgres;

/// <summary>
/// Served predictions and their outcomes in PostgreSQL, in the SQLite store's layout: one row of
/// <c>served_predictions</c> per prediction (templates and scores as JSON arrays, feature vectors as one
/// <see cref="FloatBlob"/>), at most one row of <c>prediction_outcomes</c>, deleted with it. <c>seq</c> (an identity)
/// orders insertions for the cap; a rolled-back insert leaves a gap, so under concurrent writes the cap may keep a few
/// rows fewer than it allows, never more.
/// </summary>
internal sealed class PostgresOutcomeStore(PostgresDatabase database) : IOutcomeStore, IOutcomeReader
{
    private const string Columns = """
        prediction_id, at_ms, user_id, session_id, spec_hash, model, history_length, history_hash, served, endpoints, scores,
        feature_count, features, feature_list, caller
        """;

    // The columns of Columns, in order.
    private const int PredictionColumnCount = 15;

    public async Task SaveServedAsync(ServedPrediction prediction, OutcomeBounds bounds, CancellationToken cancellationToken)
    {
        var featureCount = prediction.Candidates.Count == 0 ? 0 : prediction.Candidates[0].Features.Length;
        if (prediction.Candidates.Any(c => c.Features.Length != featureCount))
        {
            throw new ArgumentException("All candidates of a prediction have feature vectors of one length.", nameof(prediction));
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand($"""
            INSERT INTO served_predictions ({Columns})
            VALUES (@id, @at, @user, @session, @spec, @model, @length, @hash, @served, @endpoints, @scores, @count, @features, @list, @caller)
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("id", prediction.PredictionId);
            command.Parameters.AddWithValue("at", prediction.At.ToUnixTimeMilliseconds());
            command.Parameters.AddText("user", prediction.UserId);
            command.Parameters.AddText("session", prediction.SessionId);
            command.Parameters.AddText("caller", prediction.Caller);
            command.Parameters.AddWithValue("spec", prediction.SpecHash);
            command.Parameters.AddWithValue("model", prediction.ModelVersion);
            command.Parameters.AddWithValue("length", prediction.HistoryLength);
            command.Parameters.AddWithValue("hash", prediction.HistoryHash);
            command.Parameters.AddWithValue("served", prediction.Served);
            command.Parameters.AddWithValue("endpoints", JsonSerializer.Serialize(prediction.Candidates.Select(c => c.Endpoint)));
            command.Parameters.AddWithValue("scores", JsonSerializer.Serialize(prediction.Candidates.Select(c => c.Score)));
            command.Parameters.AddWithValue("count", featureCount);
            command.Parameters.AddWithValue("features", FloatBlob.Encode([.. prediction.Candidates.Select(c => c.Features)], featureCount));
            command.Parameters.AddText("list", prediction.FeatureList);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await TrimAsync(connection, transaction, bounds, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<ServedPrediction?> FindServedAsync(string predictionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM served_predictions WHERE prediction_id = @id", connection);
        command.Parameters.AddWithValue("id", predictionId);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<ServedPrediction?> LatestOfSessionAsync(string? userId, string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT {Columns} FROM served_predictions
            WHERE session_id = @session AND user_id IS NOT DISTINCT FROM @user
            ORDER BY seq DESC
            LIMIT 1
            """, connection);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddText("user", userId);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<RecordedOutcome?> RecordOutcomeAsync(RecordedOutcome outcome, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Only for a logged prediction. An implicit outcome never replaces anything; an explicit one replaces anything but
        // the same explicit outcome, which stays as it was, time included, so a repeated request answers exactly as the first.
        var onConflict = outcome.Source == OutcomeSource.Implicit
            ? "DO NOTHING"
            : """
              DO UPDATE SET at_ms = excluded.at_ms, kind = excluded.kind, source = excluded.source,
                            chosen = excluded.chosen, rank = excluded.rank
              WHERE NOT (o.source = excluded.source AND o.kind = excluded.kind
                         AND o.chosen IS NOT DISTINCT FROM excluded.chosen AND o.rank IS NOT DISTINCT FROM excluded.rank)
              """;
        await using (var command = new NpgsqlCommand($"""
            INSERT INTO prediction_outcomes AS o (prediction_id, at_ms, kind, source, chosen, rank)
            SELECT @id, @at, @kind, @source, @chosen, @rank
            WHERE EXISTS (SELECT 1 FROM served_predictions WHERE prediction_id = @id)
            ON CONFLICT (prediction_id) {onConflict}
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("id", outcome.PredictionId);
            command.Parameters.AddWithValue("at", outcome.At.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("kind", OutcomeNames.Of(outcome.Kind));
            command.Parameters.AddWithValue("source", OutcomeNames.Of(outcome.Source));
            command.Parameters.AddText("chosen", outcome.Chosen);
            command.Parameters.AddInteger("rank", outcome.Rank);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var stored = await FindOutcomeAsync(connection, transaction, outcome.PredictionId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    public async Task<RecordedOutcome?> FindOutcomeAsync(string predictionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await FindOutcomeAsync(connection, null, predictionId, cancellationToken);
    }

    public async Task<int> TrimAsync(OutcomeBounds bounds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await TrimAsync(connection, transaction, bounds, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    // Expired by time or beyond the cap by insertion order; outcomes go with their predictions, in one statement.
    private static async Task<int> TrimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OutcomeBounds bounds,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            WITH doomed AS (
                SELECT prediction_id FROM served_predictions
                WHERE at_ms < @cutoff OR seq <= (SELECT MAX(seq) FROM served_predictions) - @max),
            outcomes AS (DELETE FROM prediction_outcomes WHERE prediction_id IN (SELECT prediction_id FROM doomed))
            DELETE FROM served_predictions WHERE prediction_id IN (SELECT prediction_id FROM doomed)
            """, connection, transaction);
        command.Parameters.AddWithValue("cutoff", bounds.Cutoff.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("max", (long)bounds.MaxPredictions);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<RecordedOutcome?> FindOutcomeAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string predictionId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT kind, source, chosen, rank, at_ms FROM prediction_outcomes WHERE prediction_id = @id", connection, transaction);
        command.Parameters.AddWithValue("id", predictionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOutcome(reader, predictionId, 0) : null;
    }

    /// <summary>An outcome from the columns kind, source, chosen, rank, at_ms, starting at <paramref name="first"/>.</summary>
    private static RecordedOutcome ReadOutcome(NpgsqlDataReader reader, string predictionId, int first) => new(
        predictionId,
        OutcomeNames.KindOf(reader.GetString(first)) ?? throw new InvalidDataException($"Unknown outcome kind '{reader.GetString(first)}'."),
        OutcomeNames.SourceOf(reader.GetString(first + 1)) ?? throw new InvalidDataException($"Unknown outcome source '{reader.GetString(first + 1)}'."),
        reader.IsDBNull(first + 2) ? null : reader.GetString(first + 2),
        reader.IsDBNull(first + 3) ? null : reader.GetInt32(first + 3),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(first + 4)));

    public async IAsyncEnumerable<LoggedOutcome> ReadOutcomesAsync(DateTimeOffset? predictedSince,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One statement sees one snapshot, so a trim meanwhile cannot tear the sequence.
        await using var command = new NpgsqlCommand($"""
            SELECT {Columns}, kind, source, chosen, rank, outcome_at_ms
            FROM served_predictions
            JOIN (SELECT prediction_id, kind, source, chosen, rank, at_ms AS outcome_at_ms FROM prediction_outcomes) o
                USING (prediction_id)
            WHERE at_ms >= @since
            ORDER BY at_ms, seq
            """, connection);
        command.Parameters.AddWithValue("since", predictedSince?.ToUnixTimeMilliseconds() ?? long.MinValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var prediction = ReadPrediction(reader);
            yield return new LoggedOutcome(prediction, ReadOutcome(reader, prediction.PredictionId, PredictionColumnCount));
        }
    }

    public async Task<int> CountLabelledSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT count(*)::integer FROM prediction_outcomes o JOIN served_predictions s USING (prediction_id)
            WHERE o.at_ms > @since AND o.chosen IS NOT NULL
              AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(s.endpoints::jsonb) e WHERE e = o.chosen)
            """, connection);
        command.Parameters.AddWithValue("since", since.ToUnixTimeMilliseconds());
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<ServedPrediction?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadPrediction(reader) : null;
    }

    private static ServedPrediction ReadPrediction(NpgsqlDataReader reader)
    {
        var endpoints = JsonSerializer.Deserialize<string[]>(reader.GetString(9)) ?? [];
        var scores = JsonSerializer.Deserialize<double[]>(reader.GetString(10)) ?? [];
        var featureCount = reader.GetInt32(11);
        var blob = reader.GetFieldValue<byte[]>(12);
        if (scores.Length != endpoints.Length || !FloatBlob.Holds(blob, endpoints.Length, featureCount))
        {
            throw new InvalidDataException(
                $"Prediction {reader.GetString(0)} holds {endpoints.Length} endpoints, {scores.Length} scores and {blob.Length} bytes of features.");
        }

        var features = FloatBlob.Decode(blob, endpoints.Length, featureCount);
        return new ServedPrediction(
            reader.GetString(0),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetString(4),
            reader.GetString(5),
            reader.GetInt32(6),
            reader.GetString(7),
            reader.GetInt32(8),
            [.. endpoints.Select((endpoint, i) => new ServedCandidate(endpoint, scores[i], features[i]))],
            reader.IsDBNull(13) ? null : reader.GetString(13),
            reader.IsDBNull(14) ? null : reader.GetString(14));
    }
}
