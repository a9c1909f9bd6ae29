using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
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
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private TestPredictor NewPredictor(bool enabled = true, Action<IServiceCollection>? configure = null, string refresh = "00:00:30",
        int minimumCallers = 2, bool promptWords = true) =>
        new(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = _folder,
            ["Usage:Enabled"] = enabled ? "true" : "false",
            ["Usage:PromptWords"] = promptWords ? "true" : "false",
            ["Usage:RefreshInterval"] = refresh,
            ["Usage:MinimumCallers"] = minimumCallers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, _time, configure);

    private static async Task<(EndpointCatalog Catalog, LearnedUsage? Usage)> UsageOf(TestPredictor predictor, string? user = "u-1")
    {
        var catalog = (await predictor.Specs.GetAsync(TestPredictor.Inline(TestSpecs.BillingPath), Cancel)).Catalog;
        return (catalog, await predictor.Get<UsageLearning>().ForAsync(catalog, UsageCaller.Local, user, Cancel));
    }

    private static int Index(EndpointCatalog catalog, string key) => catalog.Operations.Single(o => o.Key == key).Index;

    private static List<ResolvedEvent> History(EndpointCatalog catalog, params string[] endpoints) =>
        PredictionContext.Create(catalog, [.. endpoints.Select(e => HistoryEvent.ParseEndpoint(e) is { } p
            ? new HistoryEvent(null, p.Method, p.Path, HistoryEvent.NoParams)
            : throw new ArgumentException(e))], null, DateTimeOffset.UnixEpoch).History.ToList();

    private async Task<UsageEstimate> CrowdAfter(TestPredictor predictor, params string[] history)
    {
        var (catalog, usage) = await UsageOf(predictor);
        return usage!.Estimate(History(catalog, history), catalog.Operations.Count, _time.GetUtcNow()).Crowd;
    }

    private static async Task<IReadOnlyList<UsageRow>> RowsAsync(TestPredictor predictor, string scope = UsageScopes.Local) =>
        await predictor.Get<IUsageStore>().LoadAsync((await UsageOf(predictor)).Catalog.ContentHash, scope, Cancel);

    // A client resends its growing history with every request; each step must count once.
    private static async Task WalkAsync(TestPredictor predictor, params string[] calls)
    {
        for (var i = 1; i <= calls.Length; i++)
        {
            await predictor.PredictAsync(TestSpecs.BillingPath, null, 3, calls[..i]);
        }
    }

    [Fact]
    public async Task AGrowingHistoryCountsEachStepOnceAfterEachOrderOfContextAndTheNextRequestSeesIt()
    {
        using var predictor = NewPredictor();

        await WalkAsync(predictor, "GET /v1/invoices", "GET /v1/invoices/in_1", "POST /v1/invoices/in_1/finalize");
        await WalkAsync(predictor, "GET /v1/invoices", "GET /v1/invoices/in_2");

        var rows = (await RowsAsync(predictor)).ToDictionary(r => (r.Context, r.Next), r => r.Weight);
        Assert.Equal(2, rows[("^", List)]);
        Assert.Equal(2, rows[(List, Detail)]);
        Assert.Equal(2, rows[("^\n" + List, Detail)]);
        Assert.Equal(1, rows[(Detail, Finalize)]);
        Assert.Equal(1, rows[($"^\n{List}\n{Detail}", Finalize)]);
        Assert.Equal(2, rows[("", List)]);
        var after = await CrowdAfter(predictor, "GET /v1/invoices", "GET /v1/invoices/in_3");
        Assert.Equal(Index(TestSpecs.Billing, Finalize), Array.IndexOf(after.Probabilities, after.Probabilities.Max()));
    }

    // A prompt's names and free text never reach the store: only the words of the spec itself, in the caller's layer.
    [Fact]
    public async Task APromptsWordsThatTheSpecUsesAreLearnedForTheCrowdAndSurviveARestart()
    {
        var finalizeWord = UsageScopes.WordPrefix + Tokenizer.Terms("finalize").Single();
        using (var before = NewPredictor())
        {
            await before.PredictAsync(TestSpecs.BillingPath, "finalize the invoice for Sofia Coppola", 3,
                "GET /v1/invoices", "GET /v1/invoices/in_1", "POST /v1/invoices/in_1/finalize");

            var rows = await RowsAsync(before);
            Assert.Contains(rows, r => r.Context == $"{finalizeWord}\n{Detail}" && r.Next == Finalize);
            Assert.All(rows, r => Assert.DoesNotContain("sofia", r.Context, StringComparison.Ordinal));
            Assert.All(rows, r => Assert.DoesNotContain("coppola", r.Context, StringComparison.Ordinal));
            var userRows = await RowsAsync(before, UsageScopes.User(null, "u-1")!);
            Assert.NotEmpty(userRows);
            Assert.DoesNotContain(userRows, r => r.Context.StartsWith(UsageScopes.WordPrefix, StringComparison.Ordinal));
        }

        using var after = NewPredictor();
        var (catalog, usage) = await UsageOf(after);
        var view = usage!.Estimate(History(catalog, "GET /v1/invoices", "GET /v1/invoices/in_2"), catalog.Operations.Count,
            _time.GetUtcNow(), LearnedUsage.WordsOf(catalog, Tokenizer.Terms("Finalize it")));

        Assert.Equal(1, view.Words!.Order);
        Assert.Equal(Index(catalog, Finalize), Array.IndexOf(view.Words.Probabilities, view.Words.Probabilities.Max()));
    }

    // Twenty users at once: every step counts once, in memory and in the file (SQLite writers wait, they do not fail).
    [Fact]
    public async Task ConcurrentRequestsOnOneSpecEachCountTheirStep()
    {
        using var predictor = NewPredictor();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            predictor.PredictAsync(TestSpecs.BillingPath, null, 3, "GET /v1/invoices", $"GET /v1/invoices/in_{i}")));

        Assert.Equal(20, (await RowsAsync(predictor)).Single(r => r.Context == List).Weight);
        var after = await CrowdAfter(predictor, "GET /v1/invoices");
        // After the session's start and the list: a context of order 2.
        Assert.Equal((2, 20f), (after.Order, after.Evidence));
    }

    [Fact]
    public async Task WhatWasLearnedSurvivesARestart()
    {
        using (var before = NewPredictor())
        {
            await WalkAsync(before, "GET /v1/invoices", "GET /v1/invoices/in_1");
        }

        using var after = NewPredictor();
        var estimate = await CrowdAfter(after, "GET /v1/invoices");

        Assert.Equal(2, estimate.Order);
        Assert.True(estimate.Probabilities[Index(TestSpecs.Billing, Detail)] > 0);
    }

    // Recorded clients call endpoints newer than the spec they are predicted with (Stripe's invoice_payments, then the
    // invoice); what follows such a call is learned without the call itself being stored.
    [Fact]
    public async Task AStepAfterACallTheSpecLacksIsLearnedWithoutStoringThatCallAndSurvivesARestart()
    {
        using (var before = NewPredictor())
        {
            await WalkAsync(before, "GET /v1/invoices", "GET /v1/invoice_payments/ip_secret7", "GET /v1/invoices/in_1");
            var rows = await RowsAsync(before);
            Assert.Contains(rows, r => r.Context == $"{List}\n{UsageScopes.OutsideText}" && r.Next == Detail);
            Assert.All(rows, r => Assert.DoesNotContain("invoice_payments", r.Context, StringComparison.Ordinal));
        }

        using var after = NewPredictor();
        var afterOutside = await CrowdAfter(after, "GET /v1/invoices", "GET /v1/refunds_new");

        // The session's start, the list and the call outside the spec: a context of order 3, not a fresh start.
        Assert.Equal(3, afterOutside.Order);
        Assert.True(afterOutside.Probabilities[Index(TestSpecs.Billing, Detail)] > 0.5f);
    }

    [Fact]
    public async Task AnotherInstanceOnTheSameStoreSeesTheStepsAfterItsRefreshInterval()
    {
        using var first = NewPredictor();
        using var second = NewPredictor();
        Assert.False((await CrowdAfter(second, "GET /v1/invoices")).Any);

        await WalkAsync(first, "GET /v1/invoices", "GET /v1/invoices/in_1");
        Assert.False((await CrowdAfter(second, "GET /v1/invoices")).Any);
        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(2, (await CrowdAfter(second, "GET /v1/invoices")).Order);
    }

    [Fact]
    public async Task OnlyOperationKeysAndTheSpecsOwnWordsAreStoredAndTheUserOnlyAsADigest()
    {
        using var predictor = NewPredictor();
        await predictor.PredictAsync(TestSpecs.BillingPath, "finish the invoice of alice@example.com", 3,
            "GET /v1/invoices", "GET /v1/invoices/in_secret42");

        var rows = new List<string>();
        await using (var connection = await predictor.Get<SqliteDatabase>().OpenAsync(Cancel))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM usage_ngrams";
            await using var reader = await command.ExecuteReaderAsync(Cancel);
            while (await reader.ReadAsync(Cancel))
            {
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i).ToString())));
            }
        }

        // Orders 0-2 after the list, in the caller's layer and the user's; the prompt's one word of the spec (invoice)
        // after the list, in the caller's layer.
        Assert.Equal(7, rows.Count);
        Assert.Equal(3, rows.Count(r => r.Contains("|user:", StringComparison.Ordinal)));
        Assert.Single(rows, r => r.Contains($"|{UsageScopes.WordPrefix}{Tokenizer.Terms("invoice").Single()}\n{List}|", StringComparison.Ordinal));
        Assert.All(rows, row =>
        {
            Assert.DoesNotContain("secret42", row, StringComparison.Ordinal);
            Assert.DoesNotContain("alice", row, StringComparison.Ordinal);
            Assert.DoesNotContain("u-1", row, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AUsersOwnHabitCountsFirstForThemAndNotForOthers()
    {
        using var predictor = NewPredictor();
        var catalog = (await UsageOf(predictor)).Catalog;
        var learning = predictor.Get<UsageLearning>();
        var crowd = (await learning.ForAsync(catalog, new UsageCaller("acme"), "bob", Cancel))!;
        for (var i = 0; i < 10; i++)
        {
            crowd.Record(History(catalog, "GET /v1/invoices/in_1"), Index(catalog, Finalize), _time.GetUtcNow());
        }

        var mine = (await learning.ForAsync(catalog, new UsageCaller("acme"), "carol", Cancel))!;
        for (var i = 0; i < 3; i++)
        {
            mine.Record(History(catalog, "GET /v1/invoices/in_1"), Index(catalog, List), _time.GetUtcNow());
        }

        var history = History(catalog, "GET /v1/invoices/in_2");
        var carol = (await learning.ForAsync(catalog, new UsageCaller("acme"), "carol", Cancel))!.Estimate(history, catalog.Operations.Count, _time.GetUtcNow());
        var dave = (await learning.ForAsync(catalog, new UsageCaller("other"), "dave", Cancel))!.Estimate(history, catalog.Operations.Count, _time.GetUtcNow());

        Assert.True(carol.Personal!.Probabilities[Index(catalog, List)] > carol.Personal.Probabilities[Index(catalog, Finalize)]);
        Assert.True(carol.Crowd.Probabilities[Index(catalog, Finalize)] > carol.Crowd.Probabilities[Index(catalog, List)]);
        Assert.Null(dave.Personal);
        // Carol's tenant learned from bob and carol both: 10 finalizes outweigh 3 lists there.
        var acme = (await learning.ForAsync(catalog, new UsageCaller("acme"), null, Cancel))!.Estimate(history, catalog.Operations.Count, _time.GetUtcNow());
        Assert.True(acme.Personal!.Probabilities[Index(catalog, Finalize)] > acme.Personal.Probabilities[Index(catalog, List)]);
    }

    // What `caller` sends: `count` times `to` after `from`, in the orders 0 and 1 a request would count.
    private async Task MadeAsync(TestPredictor predictor, string caller, int count, string from, string to)
    {
        var scope = UsageScopes.Caller(new UsageCaller(caller));
        var at = _time.GetUtcNow();
        await predictor.Get<IUsageStore>().AddAsync(TestSpecs.Billing.ContentHash,
            [new UsageIncrement(scope, "", to, at, count), new UsageIncrement(scope, from, to, at, count)], TimeSpan.FromDays(30), Cancel);
    }

    private async Task<UsageEstimate> CrowdOf(TestPredictor predictor, string caller, string last)
    {
        var catalog = (await UsageOf(predictor)).Catalog;
        var usage = await predictor.Get<UsageLearning>().ForAsync(catalog, new UsageCaller(caller), null, Cancel);
        return usage!.Estimate(History(catalog, last), catalog.Operations.Count, _time.GetUtcNow()).Crowd;
    }

    [Fact]
    public async Task OneCallerAloneTeachesTheOthersNothingHoweverManyStepsItSends()
    {
        using var predictor = NewPredictor();
        await MadeAsync(predictor, "mallory", 200, Detail, Finalize);

        var alice = await CrowdOf(predictor, "alice", "GET /v1/invoices/in_1");
        var mallory = await CrowdOf(predictor, "mallory", "GET /v1/invoices/in_1");

        Assert.False(alice.Any);
        Assert.Equal((1, 200f), (mallory.Order, mallory.Evidence));
    }

    [Fact]
    public async Task AStepTwoOtherCallersMadeReachesACallerWithTheLargestContributionCutToTheRunnerUps()
    {
        using var predictor = NewPredictor();
        await MadeAsync(predictor, "mallory", 200, Detail, Finalize);
        await MadeAsync(predictor, "bob", 2, Detail, Finalize);
        await MadeAsync(predictor, "carol", 1, Detail, Finalize);
        await MadeAsync(predictor, "alice", 1, Detail, List);

        var alice = await CrowdOf(predictor, "alice", "GET /v1/invoices/in_1");
        // Her own list, and the others' finalizes: bob 2, carol 1, mallory's 200 counted as bob's 2.
        Assert.Equal((1, 6f), (alice.Order, alice.Evidence));
        var bob = await CrowdOf(predictor, "bob", "GET /v1/invoices/in_1");
        // Bob's own 2; of the others only mallory and carol made a finalize, mallory's cut to carol's 1; alice's list
        // is hers alone.
        Assert.Equal((1, 4f), (bob.Order, bob.Evidence));
        Assert.Equal(0, bob.Probabilities[Index(TestSpecs.Billing, List)]);
    }

    [Fact]
    public async Task WithOneMinimumCallerEveryCallersStepsCountForEveryoneUnbounded()
    {
        using var predictor = NewPredictor(minimumCallers: 1);
        await MadeAsync(predictor, "mallory", 200, Detail, Finalize);

        var alice = await CrowdOf(predictor, "alice", "GET /v1/invoices/in_1");

        Assert.Equal((1, 200f), (alice.Order, alice.Evidence));
    }

    [Fact]
    public async Task TheLargestContributorsOfASpecAreListedByDigestWithTheirShare()
    {
        using var predictor = NewPredictor();
        await MadeAsync(predictor, "mallory", 150, Detail, Finalize);
        await MadeAsync(predictor, "bob", 50, Detail, Finalize);
        await predictor.PredictAsync(TestSpecs.BillingPath, null, 3, "GET /v1/invoices");

        var contributors = await predictor.Get<UsageLearning>().ContributorsAsync(TestSpecs.Billing.ContentHash, 2, Cancel);

        // Of 201 steps: mallory's, bob's and the one this process's prediction counted.
        Assert.Equal([new UsageContributor(UsageScopes.Caller(new UsageCaller("mallory")), 150, Math.Round(150 / 201.0, 4)),
            new UsageContributor(UsageScopes.Caller(new UsageCaller("bob")), 50, Math.Round(50 / 201.0, 4))], contributors);
        Assert.StartsWith("tenant:", contributors[0].Caller, StringComparison.Ordinal);
        Assert.DoesNotContain("mallory", contributors[0].Caller, StringComparison.Ordinal);
    }

    [Fact]
    public void CallersAreToldApartByKeyOwnerElseAddressElseAsThisProcess()
    {
        Assert.Equal(UsageScopes.Caller(new UsageCaller("acme", "10.0.0.1")), UsageScopes.Caller(new UsageCaller("acme", "10.0.0.2")));
        Assert.NotEqual(UsageScopes.Caller(new UsageCaller(null, "10.0.0.1")), UsageScopes.Caller(new UsageCaller(null, "10.0.0.2")));
        Assert.StartsWith("address:", UsageScopes.Caller(new UsageCaller(null, "10.0.0.1")), StringComparison.Ordinal);
        Assert.Equal(UsageScopes.Local, UsageScopes.Caller(UsageCaller.Local));
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
            Assert.False((await CrowdAfter(predictor, "GET /v1/invoices")).Any);
            Assert.Empty(await learning.ListAsync(Cancel));
        }

        using var restarted = NewPredictor();
        Assert.False((await CrowdAfter(restarted)).Any);
    }

    [Fact]
    public async Task TurnedOffNothingIsLearnedOrStored()
    {
        using var predictor = NewPredictor(enabled: false);
        await WalkAsync(predictor, "GET /v1/invoices", "GET /v1/invoices/in_1");

        var (_, usage) = await UsageOf(predictor);

        Assert.Null(usage);
        Assert.Empty(await predictor.Get<IUsageStore>().LoadAsync(TestSpecs.Billing.ContentHash, UsageScopes.Local, Cancel));
    }

    private sealed class BrokenStore : IUsageStore
    {
        public Task<IReadOnlyList<UsageRow>> LoadAsync(string specHash, string scope, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public IAsyncEnumerable<CallerUsageRow> LoadCallersAsync(string specHash, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task<IReadOnlyList<UsageContributor>> ContributorsAsync(string specHash, int top, CancellationToken cancellationToken) =>
            throw new SqliteException("disk I/O error", 10);

        public Task AddAsync(string specHash, IReadOnlyList<UsageIncrement> increments, TimeSpan? halfLife, CancellationToken cancellationToken) =>
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
    public void StoredCountsOfOperationsTheSpecNoLongerHasAreSkipped()
    {
        var at = DateTimeOffset.UnixEpoch;
        var usage = UsageLearning.Counts(TestSpecs.Billing,
            [new UsageRow("", List, 3, at), new UsageRow("^", List, 3, at), new UsageRow(List, "GET /v1/gone", 5, at),
             new UsageRow("GET /v1/gone", Detail, 7, at), new UsageRow("^\nGET /v1/gone", Detail, 7, at),
             new UsageRow("=invoic\nGET /v1/gone", Detail, 7, at), new UsageRow("=invoic\n^", "GET /v1/gone", 7, at)],
            halfLife: null, words: true);
        var catalog = TestSpecs.Billing;

        var first = usage.Probabilities([UsageCounts.Start], catalog.Operations.Count, at);
        var afterList = usage.Probabilities([Index(catalog, List)], catalog.Operations.Count, at);

        Assert.Equal((1, 3f), (first.Order, first.Evidence));
        Assert.Equal(0, afterList.Order);
        Assert.False(usage.WordProbabilities(["invoic"], UsageCounts.Start, catalog.Operations.Count, at).Any);
    }

    [Fact]
    public async Task WithoutPromptWordsOnlyOperationKeysAreStoredAndWordsStoredBeforeAreNotRead()
    {
        using (var learning = NewPredictor())
        {
            await learning.PredictAsync(TestSpecs.BillingPath, "finalize the invoice", 3, "GET /v1/invoices", "GET /v1/invoices/in_1");
        }

        using var predictor = NewPredictor(promptWords: false);
        await predictor.PredictAsync(TestSpecs.BillingPath, "send the invoice", 3, "GET /v1/invoices", "GET /v1/invoices/in_2", "POST /v1/invoices/in_2/send");
        var (catalog, usage) = await UsageOf(predictor);
        var view = usage!.Estimate(History(catalog, "GET /v1/invoices"), catalog.Operations.Count, _time.GetUtcNow(),
            LearnedUsage.WordsOf(catalog, Tokenizer.Terms("finalize the invoice")));

        var rows = await RowsAsync(predictor);
        const string Send = "POST /v1/invoices/{invoice}/send";
        // The first request's two words (finalize, invoice), none of the second's.
        Assert.Equal(2, rows.Count(r => r.Context.StartsWith(UsageScopes.WordPrefix, StringComparison.Ordinal)));
        Assert.Contains(rows, r => r.Next == Send);
        Assert.DoesNotContain(rows, r => r.Next == Send && r.Context.StartsWith(UsageScopes.WordPrefix, StringComparison.Ordinal));
        Assert.Null(view.Words);
        Assert.True(view.Crowd.Any);
    }

    [Fact]
    public async Task PairsLearnedBeforeLongerContextsCarryOverWhenTheStoreIsOpened()
    {
        var path = Path.Combine(_folder, "opensesame.db");
        await using (var old = new SqliteConnection($"Data Source={path}"))
        {
            await old.OpenAsync(Cancel);
            using var command = old.CreateCommand();
            command.CommandText = """
                CREATE TABLE usage_transitions (spec_hash TEXT NOT NULL, from_key TEXT NOT NULL, to_key TEXT NOT NULL,
                    count INTEGER NOT NULL, PRIMARY KEY (spec_hash, from_key, to_key));
                INSERT INTO usage_transitions VALUES ('spec', '', 'GET /v1/invoices', 3), ('spec', 'GET /v1/invoices', 'GET /v1/invoices/{invoice}', 2),
                    ('spec', 'GET /v1/customers', 'GET /v1/invoices/{invoice}', 1);
                """;
            await command.ExecuteNonQueryAsync(Cancel);
        }

        SqliteConnection.ClearAllPools();
        using var predictor = NewPredictor();
        var rows = (await predictor.Get<IUsageStore>().LoadAsync("spec", UsageScopes.Local, Cancel))
            .OrderBy(r => r.Context, StringComparer.Ordinal).ThenBy(r => r.Next, StringComparer.Ordinal)
            .Select(r => (r.Context, r.Next, r.Weight)).ToList();

        Assert.Equal([("", List, 3), ("", Detail, 3), ("GET /v1/customers", Detail, 1), (List, Detail, 2), ("^", List, 3)], rows);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
