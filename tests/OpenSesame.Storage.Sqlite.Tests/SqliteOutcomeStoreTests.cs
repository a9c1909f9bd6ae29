using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite.Tests;

/// <summary>Served predictions and their outcomes, on a real SQLite file.</summary>
public sealed class SqliteOutcomeStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly OutcomeBounds Unbounded = new(DateTimeOffset.MinValue, int.MaxValue);
    private readonly string _folder = Directory.CreateTempSubdirectory("opensesame-outcomes-").FullName;
    private readonly SqliteDatabase _database;
    private readonly SqliteOutcomeStore _store;

    public SqliteOutcomeStoreTests()
    {
        _database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _folder }));
        _store = new SqliteOutcomeStore(_database);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static ServedPrediction Served(string id, DateTimeOffset at, string? user = "u-1", string? session = "s-1", int served = 2) =>
        new(id, at, user, session, "spec-hash", "ltr-test", 3, "history-hash", served,
        [
            new ServedCandidate("GET /v1/invoices/{invoice}", 0.61, [1f, float.Epsilon, -0f]),
            new ServedCandidate("POST /v1/invoices/{invoice}/finalize", 0.2, [0.5f, 2f, float.MaxValue]),
            new ServedCandidate("GET /v1/customers", 0.01, [0f, 0f, -1.25f]),
        ]);

    private static RecordedOutcome Outcome(string id, OutcomeKind kind, OutcomeSource source, string? chosen, int? rank, DateTimeOffset at) =>
        new(id, kind, source, chosen, rank, at);

    private async Task<long> CountAsync(string table)
    {
        await using var connection = await _database.OpenAsync(Cancel);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    [Fact]
    public async Task AServedPredictionReadsBackWithItsCandidatesInRankOrderAndTheirFeaturesBitForBit()
    {
        var served = Served("p-1", Start);

        await _store.SaveServedAsync(served, Unbounded, Cancel);
        var read = await _store.FindServedAsync("p-1", Cancel);

        Assert.NotNull(read);
        Assert.Equal(
            (served.PredictionId, served.At, served.UserId, served.SessionId, served.SpecHash, served.ModelVersion, served.HistoryLength, served.HistoryHash, served.Served),
            (read.PredictionId, read.At, read.UserId, read.SessionId, read.SpecHash, read.ModelVersion, read.HistoryLength, read.HistoryHash, read.Served));
        Assert.Equal(served.Candidates.Select(c => (c.Endpoint, c.Score)), read.Candidates.Select(c => (c.Endpoint, c.Score)));
        Assert.Equal(served.Candidates.SelectMany(c => c.Features).Select(BitConverter.SingleToInt32Bits),
            read.Candidates.SelectMany(c => c.Features).Select(BitConverter.SingleToInt32Bits));
        Assert.Null(await _store.FindServedAsync("p-2", Cancel));
    }

    [Fact]
    public async Task TheLatestPredictionOfASessionIsTheNewestOfThatUserAndSession()
    {
        await _store.SaveServedAsync(Served("p-1", Start), Unbounded, Cancel);
        await _store.SaveServedAsync(Served("p-2", Start.AddSeconds(1)), Unbounded, Cancel);
        await _store.SaveServedAsync(Served("p-other-user", Start.AddSeconds(2), user: "u-2"), Unbounded, Cancel);
        await _store.SaveServedAsync(Served("p-no-user", Start.AddSeconds(3), user: null), Unbounded, Cancel);
        await _store.SaveServedAsync(Served("p-other-session", Start.AddSeconds(4), session: "s-2"), Unbounded, Cancel);

        Assert.Equal("p-2", (await _store.LatestOfSessionAsync("u-1", "s-1", Cancel))?.PredictionId);
        Assert.Equal("p-no-user", (await _store.LatestOfSessionAsync(null, "s-1", Cancel))?.PredictionId);
        Assert.Null(await _store.LatestOfSessionAsync("u-1", "s-9", Cancel));
    }

    [Fact]
    public async Task AnOutcomeIsStoredOnlyForALoggedPrediction()
    {
        var stored = await _store.RecordOutcomeAsync(
            Outcome("p-unknown", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start), Cancel);

        Assert.Null(stored);
        Assert.Equal(0, await CountAsync("prediction_outcomes"));
    }

    [Fact]
    public async Task AnExplicitOutcomeReplacesTheImplicitOneAndAnImplicitOneNeverReplacesAnything()
    {
        await _store.SaveServedAsync(Served("p-1", Start), Unbounded, Cancel);
        var implicitOutcome = Outcome("p-1", OutcomeKind.Accepted, OutcomeSource.Implicit, "GET /v1/invoices/{invoice}", 1, Start.AddMinutes(1));
        var explicitOutcome = Outcome("p-1", OutcomeKind.Overridden, OutcomeSource.Explicit, "GET /v1/customers", null, Start.AddMinutes(2));

        Assert.Equal(implicitOutcome, await _store.RecordOutcomeAsync(implicitOutcome, Cancel));
        Assert.Equal(explicitOutcome, await _store.RecordOutcomeAsync(explicitOutcome, Cancel));
        var later = implicitOutcome with { At = Start.AddMinutes(3) };
        Assert.Equal(explicitOutcome, await _store.RecordOutcomeAsync(later, Cancel));

        Assert.Equal(explicitOutcome, await _store.FindOutcomeAsync("p-1", Cancel));
        Assert.Equal(1, await CountAsync("prediction_outcomes"));
    }

    [Fact]
    public async Task TheSameExplicitOutcomeAgainKeepsTheFirstAndAnotherReplacesIt()
    {
        await _store.SaveServedAsync(Served("p-1", Start), Unbounded, Cancel);
        var first = Outcome("p-1", OutcomeKind.Accepted, OutcomeSource.Explicit, "POST /v1/invoices/{invoice}/finalize", 2, Start);

        await _store.RecordOutcomeAsync(first, Cancel);
        var repeated = await _store.RecordOutcomeAsync(first with { At = Start.AddMinutes(5) }, Cancel);
        var ignored = Outcome("p-1", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start.AddMinutes(6));
        var replaced = await _store.RecordOutcomeAsync(ignored, Cancel);

        Assert.Equal(first, repeated);
        Assert.Equal(ignored, replaced);
        Assert.Equal(1, await CountAsync("prediction_outcomes"));
    }

    [Fact]
    public async Task PredictionsPastRetentionAreDeletedWithTheirOutcomesWhenTheNextIsWritten()
    {
        await _store.SaveServedAsync(Served("p-old", Start), Unbounded, Cancel);
        await _store.RecordOutcomeAsync(Outcome("p-old", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start), Cancel);
        await _store.SaveServedAsync(Served("p-recent", Start.AddDays(20)), Unbounded, Cancel);

        await _store.SaveServedAsync(Served("p-new", Start.AddDays(31)), new OutcomeBounds(Start.AddDays(1), 100), Cancel);

        Assert.Null(await _store.FindServedAsync("p-old", Cancel));
        Assert.Null(await _store.FindOutcomeAsync("p-old", Cancel));
        Assert.NotNull(await _store.FindServedAsync("p-recent", Cancel));
        Assert.NotNull(await _store.FindServedAsync("p-new", Cancel));
        Assert.Equal(0, await CountAsync("prediction_outcomes"));
    }

    [Fact]
    public async Task BeyondTheCapTheOldestPredictionsGoWithTheirOutcomes()
    {
        var cap = new OutcomeBounds(DateTimeOffset.MinValue, 3);
        for (var i = 0; i < 5; i++)
        {
            await _store.SaveServedAsync(Served($"p-{i}", Start.AddSeconds(i)), cap, Cancel);
            await _store.RecordOutcomeAsync(Outcome($"p-{i}", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start), Cancel);
        }

        Assert.Equal(3, await CountAsync("served_predictions"));
        Assert.Equal(3, await CountAsync("prediction_outcomes"));
        Assert.Null(await _store.FindServedAsync("p-1", Cancel));
        Assert.NotNull(await _store.FindServedAsync("p-2", Cancel));
    }

    [Fact]
    public async Task TheCleanupKeepsRetentionWhileNoPredictionIsWritten()
    {
        var time = new FakeTimeProvider(Start);
        await _store.SaveServedAsync(Served("p-1", Start), Unbounded, Cancel);
        await _store.SaveServedAsync(Served("p-2", Start.AddDays(10)), Unbounded, Cancel);
        time.Advance(TimeSpan.FromDays(31));

        var cleanup = new OutcomeRetentionService(_store, Options.Create(new OutcomeOptions()), time,
            NullLogger<OutcomeRetentionService>.Instance);
        await cleanup.CleanUpAsync(Cancel);

        Assert.Null(await _store.FindServedAsync("p-1", Cancel));
        Assert.NotNull(await _store.FindServedAsync("p-2", Cancel));
        Assert.Equal(0, await _store.TrimAsync(new OutcomeBounds(Start, 10), Cancel));
    }

    [Fact]
    public async Task FeatureVectorsOfDifferentLengthsInOnePredictionAreRefused()
    {
        var served = Served("p-1", Start);
        var broken = served with { Candidates = [served.Candidates[0], served.Candidates[1] with { Features = [1f] }] };

        await Assert.ThrowsAsync<ArgumentException>(() => _store.SaveServedAsync(broken, Unbounded, Cancel));
        Assert.Equal(0, await CountAsync("served_predictions"));
    }

    [Fact]
    public async Task OutcomesReadBackOldestPredictionFirstEachWithItsPredictionAndFeatureList()
    {
        await _store.SaveServedAsync(Served("p-late", Start.AddMinutes(2)) with { FeatureList = "list-b" }, Unbounded, Cancel);
        await _store.SaveServedAsync(Served("p-early", Start) with { FeatureList = "list-a" }, Unbounded, Cancel);
        await _store.SaveServedAsync(Served("p-no-outcome", Start.AddMinutes(1)), Unbounded, Cancel);
        var late = Outcome("p-late", OutcomeKind.Overridden, OutcomeSource.Implicit, "GET /v1/customers", null, Start.AddMinutes(3));
        var early = Outcome("p-early", OutcomeKind.Accepted, OutcomeSource.Explicit, "GET /v1/invoices/{invoice}", 1, Start.AddMinutes(9));
        await _store.RecordOutcomeAsync(late, Cancel);
        await _store.RecordOutcomeAsync(early, Cancel);

        var read = await _store.ReadOutcomesAsync(null, Cancel).ToListAsync(Cancel);

        Assert.Equal(["p-early", "p-late"], read.Select(o => o.Prediction.PredictionId));
        Assert.Equal([early, late], read.Select(o => o.Outcome));
        Assert.Equal(["list-a", "list-b"], read.Select(o => o.Prediction.FeatureList));
        Assert.Equal(Served("p-early", Start).Candidates.SelectMany(c => c.Features).Select(BitConverter.SingleToInt32Bits),
            read[0].Prediction.Candidates.SelectMany(c => c.Features).Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public async Task ReadingSinceATimeLeavesOutPredictionsAnsweredBeforeIt()
    {
        await _store.SaveServedAsync(Served("p-early", Start), Unbounded, Cancel);
        await _store.SaveServedAsync(Served("p-late", Start.AddMinutes(2)), Unbounded, Cancel);
        foreach (var id in new[] { "p-early", "p-late" })
        {
            await _store.RecordOutcomeAsync(Outcome(id, OutcomeKind.Accepted, OutcomeSource.Explicit, "GET /v1/customers", 3, Start.AddMinutes(5)), Cancel);
        }

        var read = await _store.ReadOutcomesAsync(Start.AddMinutes(2), Cancel).ToListAsync(Cancel);

        Assert.Equal(["p-late"], read.Select(o => o.Prediction.PredictionId));
    }

    [Fact]
    public async Task OnlyOutcomesSinceTheGivenTimeThatChoseALoggedCandidateCountAsLabelledGroups()
    {
        for (var i = 0; i < 5; i++)
        {
            await _store.SaveServedAsync(Served($"p-{i}", Start.AddMinutes(i)), Unbounded, Cancel);
        }

        await _store.RecordOutcomeAsync(Outcome("p-0", OutcomeKind.Accepted, OutcomeSource.Implicit, "GET /v1/customers", null, Start), Cancel);
        await _store.RecordOutcomeAsync(Outcome("p-1", OutcomeKind.Accepted, OutcomeSource.Implicit, "GET /v1/customers", null, Start.AddHours(1)), Cancel);
        await _store.RecordOutcomeAsync(Outcome("p-2", OutcomeKind.Overridden, OutcomeSource.Implicit, "DELETE /v1/everything", null, Start.AddHours(1)), Cancel);
        await _store.RecordOutcomeAsync(Outcome("p-3", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start.AddHours(1)), Cancel);
        await _store.RecordOutcomeAsync(Outcome("p-4", OutcomeKind.Accepted, OutcomeSource.Explicit, "POST /v1/invoices/{invoice}/finalize", 2, Start.AddHours(2)), Cancel);

        Assert.Equal(2, await _store.CountLabelledSinceAsync(Start, Cancel));
        Assert.Equal(1, await _store.CountLabelledSinceAsync(Start.AddHours(1), Cancel));
        Assert.Equal(3, await _store.CountLabelledSinceAsync(DateTimeOffset.MinValue.AddYears(1970), Cancel));
    }

    [Fact]
    public async Task ADatabaseWrittenBeforeTheFeatureListWasLoggedGainsTheColumnAndItsRowsReadWithoutOne()
    {
        var folder = Directory.CreateTempSubdirectory("opensesame-outcomes-old-").FullName;
        try
        {
            // The table as the first release of the outcome log created it, with one prediction in it.
            await using (var old = new SqliteConnection($"Data Source={Path.Combine(folder, "opensesame.db")}"))
            {
                await old.OpenAsync(Cancel);
                using var create = old.CreateCommand();
                create.CommandText = """
                    CREATE TABLE served_predictions (seq INTEGER PRIMARY KEY, prediction_id TEXT NOT NULL UNIQUE,
                        at_ms INTEGER NOT NULL, user_id TEXT, session_id TEXT, spec_hash TEXT NOT NULL, model TEXT NOT NULL,
                        history_length INTEGER NOT NULL, history_hash TEXT NOT NULL, served INTEGER NOT NULL,
                        endpoints TEXT NOT NULL, scores TEXT NOT NULL, feature_count INTEGER NOT NULL, features BLOB NOT NULL);
                    INSERT INTO served_predictions VALUES (1, 'p-old', 0, 'u', 's', 'h', 'm', 0, 'hh', 1, '["GET /a"]', '[0.5]', 1, x'0000803f');
                    """;
                await create.ExecuteNonQueryAsync(Cancel);
            }

            SqliteConnection.ClearAllPools();
            var store = new SqliteOutcomeStore(new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = folder })));

            var read = await store.FindServedAsync("p-old", Cancel);
            await store.SaveServedAsync(Served("p-new", Start) with { FeatureList = "list-a" }, Unbounded, Cancel);

            Assert.NotNull(read);
            Assert.Null(read.FeatureList);
            Assert.Equal([1f], read.Candidates[0].Features);
            Assert.Equal("list-a", (await store.FindServedAsync("p-new", Cancel))?.FeatureList);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
