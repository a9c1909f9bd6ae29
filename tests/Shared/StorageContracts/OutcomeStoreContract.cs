using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Outcomes;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every <see cref="IOutcomeStore"/> and <see cref="IOutcomeReader"/> must do: served predictions and
/// their outcomes.</summary>
public abstract class OutcomeStoreContract : StoreContract
{
    protected static readonly OutcomeBounds Unbounded = new(DateTimeOffset.MinValue, int.MaxValue);

    private IOutcomeStore Store => Get<IOutcomeStore>();

    private IOutcomeReader Reader => Get<IOutcomeReader>();

    protected static ServedPrediction Served(string id, DateTimeOffset at, string? user = "u-1", string? session = "s-1", int served = 2) =>
        new(id, at, user, session, "spec-hash", "ltr-test", 3, "history-hash", served,
        [
            new ServedCandidate("GET /v1/invoices/{invoice}", 0.61, [1f, float.Epsilon, -0f]),
            new ServedCandidate("POST /v1/invoices/{invoice}/finalize", 0.2, [0.5f, 2f, float.MaxValue]),
            new ServedCandidate("GET /v1/customers", 0.01, [0f, 0f, -1.25f]),
        ]);

    private static RecordedOutcome Outcome(string id, OutcomeKind kind, OutcomeSource source, string? chosen, int? rank, DateTimeOffset at) =>
        new(id, kind, source, chosen, rank, at);

    [Fact]
    public async Task AServedPredictionReadsBackWithItsCandidatesInRankOrderAndTheirFeaturesBitForBit()
    {
        var served = Served("p-1", Start);

        await Store.SaveServedAsync(served, Unbounded, Cancel);
        var read = await Store.FindServedAsync("p-1", Cancel);

        Assert.NotNull(read);
        Assert.Equal(
            (served.PredictionId, served.At, served.UserId, served.SessionId, served.SpecHash, served.ModelVersion, served.HistoryLength, served.HistoryHash, served.Served),
            (read.PredictionId, read.At, read.UserId, read.SessionId, read.SpecHash, read.ModelVersion, read.HistoryLength, read.HistoryHash, read.Served));
        Assert.Equal(served.Candidates.Select(c => (c.Endpoint, c.Score)), read.Candidates.Select(c => (c.Endpoint, c.Score)));
        Assert.Equal(served.Candidates.SelectMany(c => c.Features).Select(BitConverter.SingleToInt32Bits),
            read.Candidates.SelectMany(c => c.Features).Select(BitConverter.SingleToInt32Bits));
        Assert.Null(await Store.FindServedAsync("p-2", Cancel));
    }

    [Fact]
    public async Task TheLatestPredictionOfASessionIsTheNewestOfThatUserAndSession()
    {
        await Store.SaveServedAsync(Served("p-1", Start), Unbounded, Cancel);
        await Store.SaveServedAsync(Served("p-2", Start.AddSeconds(1)), Unbounded, Cancel);
        await Store.SaveServedAsync(Served("p-other-user", Start.AddSeconds(2), user: "u-2"), Unbounded, Cancel);
        await Store.SaveServedAsync(Served("p-no-user", Start.AddSeconds(3), user: null), Unbounded, Cancel);
        await Store.SaveServedAsync(Served("p-other-session", Start.AddSeconds(4), session: "s-2"), Unbounded, Cancel);

        Assert.Equal("p-2", (await Store.LatestOfSessionAsync("u-1", "s-1", Cancel))?.PredictionId);
        Assert.Equal("p-no-user", (await Store.LatestOfSessionAsync(null, "s-1", Cancel))?.PredictionId);
        Assert.Null(await Store.LatestOfSessionAsync("u-1", "s-9", Cancel));
    }

    [Fact]
    public async Task AnOutcomeIsStoredOnlyForALoggedPrediction()
    {
        var stored = await Store.RecordOutcomeAsync(
            Outcome("p-unknown", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start), Cancel);

        Assert.Null(stored);
        Assert.Equal(0, await CountRowsAsync("prediction_outcomes"));
    }

    [Fact]
    public async Task AnExplicitOutcomeReplacesTheImplicitOneAndAnImplicitOneNeverReplacesAnything()
    {
        await Store.SaveServedAsync(Served("p-1", Start), Unbounded, Cancel);
        var implicitOutcome = Outcome("p-1", OutcomeKind.Accepted, OutcomeSource.Implicit, "GET /v1/invoices/{invoice}", 1, Start.AddMinutes(1));
        var explicitOutcome = Outcome("p-1", OutcomeKind.Overridden, OutcomeSource.Explicit, "GET /v1/customers", null, Start.AddMinutes(2));

        Assert.Equal(implicitOutcome, await Store.RecordOutcomeAsync(implicitOutcome, Cancel));
        Assert.Equal(explicitOutcome, await Store.RecordOutcomeAsync(explicitOutcome, Cancel));
        var later = implicitOutcome with { At = Start.AddMinutes(3) };
        Assert.Equal(explicitOutcome, await Store.RecordOutcomeAsync(later, Cancel));

        Assert.Equal(explicitOutcome, await Store.FindOutcomeAsync("p-1", Cancel));
        Assert.Equal(1, await CountRowsAsync("prediction_outcomes"));
    }

    [Fact]
    public async Task TheSameExplicitOutcomeAgainKeepsTheFirstAndAnotherReplacesIt()
    {
        await Store.SaveServedAsync(Served("p-1", Start), Unbounded, Cancel);
        var first = Outcome("p-1", OutcomeKind.Accepted, OutcomeSource.Explicit, "POST /v1/invoices/{invoice}/finalize", 2, Start);

        await Store.RecordOutcomeAsync(first, Cancel);
        var repeated = await Store.RecordOutcomeAsync(first with { At = Start.AddMinutes(5) }, Cancel);
        var ignored = Outcome("p-1", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start.AddMinutes(6));
        var replaced = await Store.RecordOutcomeAsync(ignored, Cancel);

        Assert.Equal(first, repeated);
        Assert.Equal(ignored, replaced);
        Assert.Equal(1, await CountRowsAsync("prediction_outcomes"));
    }

    [Fact]
    public async Task PredictionsPastRetentionAreDeletedWithTheirOutcomesWhenTheNextIsWritten()
    {
        await Store.SaveServedAsync(Served("p-old", Start), Unbounded, Cancel);
        await Store.RecordOutcomeAsync(Outcome("p-old", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start), Cancel);
        await Store.SaveServedAsync(Served("p-recent", Start.AddDays(20)), Unbounded, Cancel);

        await Store.SaveServedAsync(Served("p-new", Start.AddDays(31)), new OutcomeBounds(Start.AddDays(1), 100), Cancel);

        Assert.Null(await Store.FindServedAsync("p-old", Cancel));
        Assert.Null(await Store.FindOutcomeAsync("p-old", Cancel));
        Assert.NotNull(await Store.FindServedAsync("p-recent", Cancel));
        Assert.NotNull(await Store.FindServedAsync("p-new", Cancel));
        Assert.Equal(0, await CountRowsAsync("prediction_outcomes"));
    }

    [Fact]
    public async Task BeyondTheCapTheOldestPredictionsGoWithTheirOutcomes()
    {
        var cap = new OutcomeBounds(DateTimeOffset.MinValue, 3);
        for (var i = 0; i < 5; i++)
        {
            await Store.SaveServedAsync(Served($"p-{i}", Start.AddSeconds(i)), cap, Cancel);
            await Store.RecordOutcomeAsync(Outcome($"p-{i}", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start), Cancel);
        }

        Assert.Equal(3, await CountRowsAsync("served_predictions"));
        Assert.Equal(3, await CountRowsAsync("prediction_outcomes"));
        Assert.Null(await Store.FindServedAsync("p-1", Cancel));
        Assert.NotNull(await Store.FindServedAsync("p-2", Cancel));
    }

    [Fact]
    public async Task TheCleanupKeepsRetentionWhileNoPredictionIsWritten()
    {
        await Store.SaveServedAsync(Served("p-1", Start), Unbounded, Cancel);
        await Store.SaveServedAsync(Served("p-2", Start.AddDays(10)), Unbounded, Cancel);
        Time.Advance(TimeSpan.FromDays(31));

        var cleanup = new OutcomeRetentionService(Store, Options.Create(new OutcomeOptions()), Time,
            NullLogger<OutcomeRetentionService>.Instance);
        await cleanup.CleanUpAsync(Cancel);

        Assert.Null(await Store.FindServedAsync("p-1", Cancel));
        Assert.NotNull(await Store.FindServedAsync("p-2", Cancel));
        Assert.Equal(0, await Store.TrimAsync(new OutcomeBounds(Start, 10), Cancel));
    }

    [Fact]
    public async Task FeatureVectorsOfDifferentLengthsInOnePredictionAreRefused()
    {
        var served = Served("p-1", Start);
        var broken = served with { Candidates = [served.Candidates[0], served.Candidates[1] with { Features = [1f] }] };

        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveServedAsync(broken, Unbounded, Cancel));
        Assert.Equal(0, await CountRowsAsync("served_predictions"));
    }

    [Fact]
    public async Task OutcomesReadBackOldestPredictionFirstEachWithItsPredictionAndFeatureList()
    {
        await Store.SaveServedAsync(Served("p-late", Start.AddMinutes(2)) with { FeatureList = "list-b" }, Unbounded, Cancel);
        await Store.SaveServedAsync(Served("p-early", Start) with { FeatureList = "list-a" }, Unbounded, Cancel);
        await Store.SaveServedAsync(Served("p-no-outcome", Start.AddMinutes(1)), Unbounded, Cancel);
        var late = Outcome("p-late", OutcomeKind.Overridden, OutcomeSource.Implicit, "GET /v1/customers", null, Start.AddMinutes(3));
        var early = Outcome("p-early", OutcomeKind.Accepted, OutcomeSource.Explicit, "GET /v1/invoices/{invoice}", 1, Start.AddMinutes(9));
        await Store.RecordOutcomeAsync(late, Cancel);
        await Store.RecordOutcomeAsync(early, Cancel);

        var read = await Reader.ReadOutcomesAsync(null, Cancel).ToListAsync(Cancel);

        Assert.Equal(["p-early", "p-late"], read.Select(o => o.Prediction.PredictionId));
        Assert.Equal([early, late], read.Select(o => o.Outcome));
        Assert.Equal(["list-a", "list-b"], read.Select(o => o.Prediction.FeatureList));
        Assert.Equal(Served("p-early", Start).Candidates.SelectMany(c => c.Features).Select(BitConverter.SingleToInt32Bits),
            read[0].Prediction.Candidates.SelectMany(c => c.Features).Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public async Task ReadingSinceATimeLeavesOutPredictionsAnsweredBeforeIt()
    {
        await Store.SaveServedAsync(Served("p-early", Start), Unbounded, Cancel);
        await Store.SaveServedAsync(Served("p-late", Start.AddMinutes(2)), Unbounded, Cancel);
        foreach (var id in new[] { "p-early", "p-late" })
        {
            await Store.RecordOutcomeAsync(Outcome(id, OutcomeKind.Accepted, OutcomeSource.Explicit, "GET /v1/customers", 3, Start.AddMinutes(5)), Cancel);
        }

        var read = await Reader.ReadOutcomesAsync(Start.AddMinutes(2), Cancel).ToListAsync(Cancel);

        Assert.Equal(["p-late"], read.Select(o => o.Prediction.PredictionId));
    }

    [Fact]
    public async Task OnlyOutcomesSinceTheGivenTimeThatChoseALoggedCandidateCountAsLabelledGroups()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.SaveServedAsync(Served($"p-{i}", Start.AddMinutes(i)), Unbounded, Cancel);
        }

        await Store.RecordOutcomeAsync(Outcome("p-0", OutcomeKind.Accepted, OutcomeSource.Implicit, "GET /v1/customers", null, Start), Cancel);
        await Store.RecordOutcomeAsync(Outcome("p-1", OutcomeKind.Accepted, OutcomeSource.Implicit, "GET /v1/customers", null, Start.AddHours(1)), Cancel);
        await Store.RecordOutcomeAsync(Outcome("p-2", OutcomeKind.Overridden, OutcomeSource.Implicit, "DELETE /v1/everything", null, Start.AddHours(1)), Cancel);
        await Store.RecordOutcomeAsync(Outcome("p-3", OutcomeKind.Ignored, OutcomeSource.Explicit, null, null, Start.AddHours(1)), Cancel);
        await Store.RecordOutcomeAsync(Outcome("p-4", OutcomeKind.Accepted, OutcomeSource.Explicit, "POST /v1/invoices/{invoice}/finalize", 2, Start.AddHours(2)), Cancel);

        Assert.Equal(2, await Reader.CountLabelledSinceAsync(Start, Cancel));
        Assert.Equal(1, await Reader.CountLabelledSinceAsync(Start.AddHours(1), Cancel));
        Assert.Equal(3, await Reader.CountLabelledSinceAsync(DateTimeOffset.MinValue.AddYears(1970), Cancel));
    }
}
