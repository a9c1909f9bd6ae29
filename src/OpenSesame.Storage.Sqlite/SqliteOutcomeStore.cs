using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite;

/// <summary>
/// Served predictions and their outcomes in the embedded SQLite file. A prediction is one row of
/// <c>served_predictions</c>: its candidates' templates and scores as JSON arrays and their feature vectors as one blob of
/// little-endian float32, candidate after candidate (<see cref="FloatBlob"/>), so a ranking group reads back in one step. Its outcome is at most
/// one row of <c>prediction_outcomes</c>, deleted with it. <c>seq</c> counts insertions, which lets the cap delete the
/// oldest rows through the primary key instead of counting the table.
/// </summary>
internal sealed class SqliteOutcomeStore(SqliteDatabase database) : IOutcomeStore, IOutcomeReader
{
    private const string Columns = """
        prediction_id, at_ms, user_id, session_id, spec_hash, model, history_length, history_hash, served, endpoints, scores,
        feature_count, features, feature_list, caller
        """;

    public async Task SaveServedAsync(ServedPrediction prediction, OutcomeBounds bounds, CancellationToken cancellationToken)
    {
        var featureCount = prediction.Candidates.Count == 0 ? 0 : prediction.Candidates[0].Features.Length;
        if (prediction.Candidates.Any(c => c.Features.Length != featureCount))
        {
            throw new ArgumentException("All candidates of a prediction have feature vectors of one length.", nameof(prediction));
        }

        await database.Writer.RunAsync(async writer =>
        {
            await writer.BeginAsync(cancellationToken);
            var command = writer.Command(InsertServed);
            command.Parameters.AddWithValue("$id", prediction.PredictionId);
            command.Parameters.AddWithValue("$at", prediction.At.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$user", (object?)prediction.UserId ?? DBNull.Value);
            command.Parameters.AddWithValue("$session", (object?)prediction.SessionId ?? DBNull.Value);
            command.Parameters.AddWithValue("$caller", (object?)prediction.Caller ?? DBNull.Value);
            command.Parameters.AddWithValue("$spec", prediction.SpecHash);
            command.Parameters.AddWithValue("$model", prediction.ModelVersion);
            command.Parameters.AddWithValue("$length", prediction.HistoryLength);
            command.Parameters.AddWithValue("$hash", prediction.HistoryHash);
            command.Parameters.AddWithValue("$served", prediction.Served);
            command.Parameters.AddWithValue("$endpoints", JsonSerializer.Serialize(prediction.Candidates.Select(c => c.Endpoint)));
            command.Parameters.AddWithValue("$scores", JsonSerializer.Serialize(prediction.Candidates.Select(c => c.Score)));
            command.Parameters.AddWithValue("$count", featureCount);
            command.Parameters.AddWithValue("$features", FloatBlob.Encode([.. prediction.Candidates.Select(c => c.Features)], featureCount));
            command.Parameters.AddWithValue("$list", (object?)prediction.FeatureList ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await TrimAsync(writer, bounds, cancellationToken);
            await writer.CommitAsync(cancellationToken);
        }, cancellationToken);
    }

    private const string InsertServed = $"""
        INSERT INTO served_predictions ({Columns})
        VALUES ($id, $at, $user, $session, $spec, $model, $length, $hash, $served, $endpoints, $scores, $count, $features, $list, $caller)
        """;

    public async Task<ServedPrediction?> FindServedAsync(string predictionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM served_predictions WHERE prediction_id = $id";
        command.Parameters.AddWithValue("$id", predictionId);
        return await ReadOneAsync(command, cancellationToken);
    }

    private const string SelectLatestOfSession = $"""
        SELECT {Columns} FROM served_predictions
        WHERE session_id = $session AND user_id IS $user
        ORDER BY seq DESC
        LIMIT 1
        """;

    // Asked by the record writer before each prediction of a session is logged, so on the writer's connection.
    public Task<ServedPrediction?> LatestOfSessionAsync(string? userId, string sessionId, CancellationToken cancellationToken) =>
        database.Writer.RunAsync(writer =>
        {
            var command = writer.Command(SelectLatestOfSession);
            command.Parameters.AddWithValue("$session", sessionId);
            command.Parameters.AddWithValue("$user", (object?)userId ?? DBNull.Value);
            return ReadOneAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<RecordedOutcome?> RecordOutcomeAsync(RecordedOutcome outcome, CancellationToken cancellationToken) =>
        database.Writer.RunAsync(async writer =>
        {
            await writer.BeginAsync(cancellationToken);
            // Only for a logged prediction (the WHERE also keeps SQLite from reading ON CONFLICT as a join's ON). An
            // implicit outcome never replaces anything; an explicit one replaces anything but the same explicit outcome,
            // which stays as it was, time included, so a repeated request answers exactly as the first.
            var onConflict = outcome.Source == OutcomeSource.Implicit
                ? "DO NOTHING"
                : """
                  DO UPDATE SET at_ms = excluded.at_ms, kind = excluded.kind, source = excluded.source,
                                chosen = excluded.chosen, rank = excluded.rank
                  WHERE NOT (prediction_outcomes.source = excluded.source AND prediction_outcomes.kind = excluded.kind
                             AND prediction_outcomes.chosen IS excluded.chosen AND prediction_outcomes.rank IS excluded.rank)
                  """;
            var command = writer.Command($"""
                INSERT INTO prediction_outcomes (prediction_id, at_ms, kind, source, chosen, rank)
                SELECT $id, $at, $kind, $source, $chosen, $rank
                WHERE EXISTS (SELECT 1 FROM served_predictions WHERE prediction_id = $id)
                ON CONFLICT (prediction_id) {onConflict}
                """);
            command.Parameters.AddWithValue("$id", outcome.PredictionId);
            command.Parameters.AddWithValue("$at", outcome.At.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$kind", OutcomeNames.Of(outcome.Kind));
            command.Parameters.AddWithValue("$source", OutcomeNames.Of(outcome.Source));
            command.Parameters.AddWithValue("$chosen", (object?)outcome.Chosen ?? DBNull.Value);
            command.Parameters.AddWithValue("$rank", (object?)outcome.Rank ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
            var stored = await FindOutcomeAsync(writer.Command(SelectOutcome), outcome.PredictionId, cancellationToken);
            await writer.CommitAsync(cancellationToken);
            return stored;
        }, cancellationToken);

    public async Task<RecordedOutcome?> FindOutcomeAsync(string predictionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = SelectOutcome;
        return await FindOutcomeAsync(command, predictionId, cancellationToken);
    }

    private const string SelectOutcome = "SELECT kind, source, chosen, rank, at_ms FROM prediction_outcomes WHERE prediction_id = $id";

    public Task<int> TrimAsync(OutcomeBounds bounds, CancellationToken cancellationToken) =>
        database.Writer.RunAsync(async writer =>
        {
            await writer.BeginAsync(cancellationToken);
            var deleted = await TrimAsync(writer, bounds, cancellationToken);
            await writer.CommitAsync(cancellationToken);
            return deleted;
        }, cancellationToken);

    // Expired by time or beyond the cap by insertion order; outcomes go with their predictions. Both conditions use an
    // index, so a write that has nothing to delete pays two index lookups.
    private static async Task<int> TrimAsync(SqliteWriter writer, OutcomeBounds bounds, CancellationToken cancellationToken)
    {
        var command = writer.Command("""
            DELETE FROM prediction_outcomes WHERE prediction_id IN (
                SELECT prediction_id FROM served_predictions
                WHERE at_ms < $cutoff OR seq <= (SELECT MAX(seq) FROM served_predictions) - $max);
            DELETE FROM served_predictions
            WHERE at_ms < $cutoff OR seq <= (SELECT MAX(seq) FROM served_predictions) - $max;
            SELECT changes();
            """);
        command.Parameters.AddWithValue("$cutoff", bounds.Cutoff.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$max", bounds.MaxPredictions);
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<RecordedOutcome?> FindOutcomeAsync(SqliteCommand command, string predictionId, CancellationToken cancellationToken)
    {
        command.Parameters.AddWithValue("$id", predictionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadOutcome(reader, predictionId, 0) : null;
    }

    /// <summary>An outcome from the columns kind, source, chosen, rank, at_ms, starting at <paramref name="first"/>.</summary>
    private static RecordedOutcome ReadOutcome(SqliteDataReader reader, string predictionId, int first) => new(
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
        using var command = connection.CreateCommand();
        // One read transaction for the whole scan (WAL: writers go on), so a trim meanwhile cannot tear the sequence.
        command.CommandText = $"""
            SELECT {Columns}, kind, source, chosen, rank, outcome_at_ms
            FROM served_predictions
            JOIN (SELECT prediction_id, kind, source, chosen, rank, at_ms AS outcome_at_ms FROM prediction_outcomes)
                USING (prediction_id)
            WHERE at_ms >= $since
            ORDER BY at_ms, seq
            """;
        command.Parameters.AddWithValue("$since", predictedSince?.ToUnixTimeMilliseconds() ?? long.MinValue);
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
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT count(*) FROM prediction_outcomes o JOIN served_predictions s USING (prediction_id)
            WHERE o.at_ms > $since AND o.chosen IS NOT NULL
              AND EXISTS (SELECT 1 FROM json_each(s.endpoints) WHERE json_each.value = o.chosen)
            """;
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<ServedPrediction?> ReadOneAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadPrediction(reader) : null;
    }

    // The columns of Columns, in order.
    private const int PredictionColumnCount = 15;

    private static ServedPrediction ReadPrediction(SqliteDataReader reader)
    {
        var endpoints = JsonSerializer.Deserialize<string[]>(reader.GetString(9)) ?? [];
        var scores = JsonSerializer.Deserialize<double[]>(reader.GetString(10)) ?? [];
        var featureCount = reader.GetInt32(11);
        var blob = reader.IsDBNull(12) ? [] : reader.GetFieldValue<byte[]>(12);
        if (scores.Length != endpoints.Length || !FloatBlob.Holds(blob, endpoints.Length, featureCount))
        {
            throw new InvalidDataException(
                $"Prediction {reader.GetString(0)} holds {endpoints.Length} endpoints, {scores.Length} scores and {blob.Length} bytes of features.");
        }

        var features = FloatBlob.Decode(blob, endpoints.Length, featureCount);
        var candidates = new ServedCandidate[endpoints.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = new ServedCandidate(endpoints[i], scores[i], features[i]);
        }

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
            candidates,
            reader.IsDBNull(13) ? null : reader.GetString(13),
            reader.IsDBNull(14) ? null : reader.GetString(14));
    }
}
