using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Usage;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Predictor.Tests.Ranking;

/// <summary>Learning how a spec's users move between operations from the requests' histories, on the real pipeline
/// and a real SQLite file.</summary>
public sealed class UsageLearningTests : IDisposable
{
    private const string List = "GET /v1/invoices";
    private const string Detail = "GET /v1/invoices/{invoice}";
    private const string Finalize = "POST /v1/invoices/{invoice}/finalize";

    private readonly string _folder = Directory.CreateTempSubdirectory("opensesame-usage-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private TestPredictor NewPredictor(bool enabled = true, Action<IServiceCollection>? configure = null) => new(new Dictionary<string, string?>
    {
        ["Storage:DataDirectory"] = _folder,
        ["Usage:Enabled"] = enabled ? "true" : "false",
    }, configure: configure);

    private static async Task<(EndpointCatalog Catalog, UsageTransitions? Usage)> UsageOf(TestPredictor predictor)
    {
        var catalog = (await predictor.Specs.GetAsync(TestPredictor.Inline(TestSpecs.BillingPath), Cancel)).Catalog;
        return (catalog, await predictor.Get<UsageLearning>().ForAsync(catalog, Cancel));
    }

    private static int Index(EndpointCatalog catalog, string key) => catalog.Operations.Single(o => o.Key == key).Index;

    // A client resends its growing history with every request; each step must count once.
    private static async Task WalkAsync(TestPredictor predictor, params string[] calls)
    {
        for (var i = 1; i <= calls.Length; i++)
        {
            await predictor.PredictAsync(TestSpecs.BillingPath, null, 3, calls[..i]);
        }
    }

    [Fact]
    public async Task AGrowingHistoryCountsEachStepOnceAndTheNextRequestSeesIt()
    {
        using var predictor = NewPredictor();

        await WalkAsync(predictor, "GET /v1/invoices", "GET /v1/invoices/in_1", "POST /v1/invoices/in_1/finalize");
        await WalkAsync(predictor, "GET /v1/invoices", "GET /v1/invoices/in_2");

        var (catalog, usage) = await UsageOf(predictor);
        Assert.NotNull(usage);
        Assert.Equal(2, usage.Count(UsageTransitions.Start, Index(catalog, List)));
        Assert.Equal(2, usage.Count(Index(catalog, List), Index(catalog, Detail)));
        Assert.Equal(1, usage.Count(Index(catalog, Detail), Index(catalog, Finalize)));
        Assert.Equal(1, usage.Total(Index(catalog, Detail)));
    }

    // Twenty users at once: every step counts once, in memory and in the file (SQLite writers wait, they do not fail).
    [Fact]
    public async Task ConcurrentRequestsOnOneSpecEachCountTheirStep()
    {
        using var predictor = NewPredictor();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            predictor.PredictAsync(TestSpecs.BillingPath, null, 3, "GET /v1/invoices", $"GET /v1/invoices/in_{i}")));

        var (catalog, usage) = await UsageOf(predictor);
        Assert.Equal(20, usage!.Count(Index(catalog, List), Index(catalog, Detail)));
        Assert.Equal([new UsageCount(List, Detail, 20)], await predictor.Get<IUsageStore>().LoadAsync(catalog.ContentHash, Cancel));
    }

    [Fact]
    public async Task WhatWasLearnedSurvivesARestart()
    {
        using (var before = NewPredictor())
        {
            await WalkAsync(before, "GET /v1/invoices", "GET /v1/invoices/in_1");
        }

        using var after = NewPredictor();
        var (catalog, usage) = await UsageOf(after);

        Assert.Equal(1, usage!.Count(Index(catalog, List), Index(catalog, Detail)));
    }

    [Fact]
    public async Task OnlyPairsOfOperationsAreStoredNeverIdsPromptsOrUsers()
    {
        using var predictor = NewPredictor();
        await predictor.PredictAsync(TestSpecs.BillingPath, "finish the invoice of alice@example.com", 3,
            "GET /v1/invoices", "GET /v1/invoices/in_secret42");

        var rows = new List<string>();
        await using (var connection = await predictor.Get<SqliteDatabase>().OpenAsync(Cancel))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM usage_transitions";
            await using var reader = await command.ExecuteReaderAsync(Cancel);
            while (await reader.ReadAsync(Cancel))
            {
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i).ToString())));
            }
        }

        var row = Assert.Single(rows);
        Assert.EndsWith($"|{List}|{Detail}|1", row, StringComparison.Ordinal);
        Assert.DoesNotContain("secret42", row, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForgottenSpecIsPredictedAsIfNobodyHadUsedItInMemoryAndAfterARestart()
    {
        using (var predictor = NewPredictor())
        {
            await WalkAsync(predictor, "GET /v1/invoices", "GET /v1/invoices/in_1");
            await WalkAsync(predictor, "GET /v1/invoices", "GET /v1/invoices/in_2", "POST /v1/invoices/in_2/finalize");
            var learning = predictor.Get<UsageLearning>();
            var hash = (await UsageOf(predictor)).Catalog.ContentHash;

            Assert.Equal([new UsageSpec(hash, 5, 3)], await learning.ListAsync(Cancel));
            Assert.Equal([new UsageCount("", List, 2), new UsageCount(List, Detail, 2)], await learning.StepsAsync(hash, 2, Cancel));

            Assert.True(await learning.ForgetAsync(hash, Cancel));
            Assert.False(await learning.ForgetAsync(hash, Cancel));
            var (catalog, usage) = await UsageOf(predictor);
            Assert.Equal(0, usage!.Total(Index(catalog, List)));
            Assert.Empty(await learning.ListAsync(Cancel));
        }

        using var restarted = NewPredictor();
        Assert.Equal(0, (await UsageOf(restarted)).Usage!.Total(UsageTransitions.Start));
    }

    [Fact]
    public async Task TurnedOffNothingIsLearnedOrStored()
    {
        using var predictor = NewPredictor(enabled: false);
        await WalkAsync(predictor, "GET /v1/invoices", "GET /v1/invoices/in_1");

        var (_, usage) = await UsageOf(predictor);

        Assert.Null(usage);
        Assert.Empty(await predictor.Get<IUsageStore>().LoadAsync(TestSpecs.Billing.ContentHash, Cancel));
    }

    private sealed class BrokenStore : IUsageStore
    {
        public Task<IReadOnlyList<UsageCount>> LoadAsync(string specHash, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task AddAsync(string specHash, string fromKey, string toKey, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task<IReadOnlyList<UsageSpec>> ListAsync(CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task<bool> ForgetAsync(string specHash, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);
    }

    [Fact]
    public async Task AStoreThatFailsCostsTheUsageNotThePrediction()
    {
        using var predictor = NewPredictor(configure: s => s.AddSingleton<IUsageStore, BrokenStore>());

        var response = await predictor.PredictAsync(TestSpecs.BillingPath, null, 3, "GET /v1/invoices", "GET /v1/invoices/in_1");

        Assert.NotEmpty(response.Predictions);
        Assert.Null((await UsageOf(predictor)).Usage);
    }

    [Fact]
    public void TheFeaturesReadTheShareOfObservedNextCallsAndHowManyWereObserved()
    {
        var catalog = TestSpecs.Billing;
        var usage = new UsageTransitions();
        usage.Record(Index(catalog, Detail), Index(catalog, Finalize), 2);
        usage.Record(Index(catalog, Detail), Index(catalog, List));
        var context = PredictionContext.Create(catalog, [new HistoryEvent(null, "GET", "/v1/invoices/in_1", HistoryEvent.NoParams)],
            null, DateTimeOffset.UnixEpoch, usage: usage);
        var extractor = new RequestFeatures(context);

        var finalize = extractor.Extract(catalog.Operations[Index(catalog, Finalize)]);
        var never = extractor.Extract(catalog.Operations.First(o => o.Key.StartsWith("DELETE", StringComparison.Ordinal)));

        Assert.Equal(2 / 3f, finalize[FeatureSchema.UsageTransition], 5);
        Assert.Equal(MathF.Log(4), finalize[FeatureSchema.UsageEvidence], 5);
        Assert.Equal((0f, MathF.Log(4)), (never[FeatureSchema.UsageTransition], never[FeatureSchema.UsageEvidence]));
    }

    [Fact]
    public void StoredCountsOfOperationsTheSpecNoLongerHasAreSkipped()
    {
        var usage = UsageLearning.Transitions(TestSpecs.Billing,
            [new UsageCount("", List, 3), new UsageCount(List, "GET /v1/gone", 5), new UsageCount("GET /v1/gone", Detail, 7)]);

        Assert.Equal(3, usage.Total(UsageTransitions.Start));
        Assert.Equal(0, usage.Total(Index(TestSpecs.Billing, List)));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
