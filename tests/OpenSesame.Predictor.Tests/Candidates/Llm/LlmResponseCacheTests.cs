using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Candidates.Llm;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Tests.Routing;
using OpenSesame.Storage.Redis;
using static OpenSesame.Predictor.Tests.Candidates.Llm.FakeLlmServer;

namespace OpenSesame.Predictor.Tests.Candidates.Llm;

/// <summary>The response cache in front of the router: memory, then the SQLite file, on the real SDKs and a fake API.</summary>
public sealed class LlmResponseCacheTests
{
    private static readonly string[] BillingAnswer = ["GET /v1/payments", "POST /v1/customers", "GET /v1/invoices"];

    [Fact]
    public async Task TheSecondIdenticalQuestionIsAnsweredFromTheCacheWithNoCallAndNoCost()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Settings(server, cache: true));
        using var metrics = new MetricRecorder(predictor.Get<RoutingMetrics>().Meter);

        var first = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");
        var second = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");

        Assert.Single(server.Requests);
        Assert.False(first.Metadata.CacheHit);
        Assert.True(first.CostUsd > 0);
        Assert.True(second.Metadata.CacheHit);
        Assert.Equal(0m, second.CostUsd);
        Assert.Empty(second.Metadata.LlmCalls);
        var route = second.Metadata.Route!;
        Assert.Equal((RouteReasons.CacheHit, "claude-3-haiku", "claude-3-haiku", 0m, true),
            (route.Reason, route.Model, route.ActualModel, route.ActualCostUsd, route.CacheHit));
        // The cached answer is the model's answer: its candidates join the pool as they did the first time.
        Assert.Contains(GeneratorNames.Llm, second.Metadata.Generators);
        Assert.Equal(first.Predictions.Select(p => (p.Endpoint, p.Source)), second.Predictions.Select(p => (p.Endpoint, p.Source)));

        var usage = predictor.Get<LlmUsageLog>();
        Assert.Equal((2L, 1L, 0.5), (usage.CacheLookups, usage.CacheHits, usage.CacheHitRate));
        Assert.Equal([false, true], metrics.Of("opensesame.llm.cache.lookups").Select(m => (bool)m.Tags["hit"]!));
        var now = predictor.Get<TimeProvider>().GetUtcNow();
        var line = Assert.Single(await predictor.Get<ICostLedger>().SpendByAsync(CostGrouping.Model, now.AddDays(-1), now.AddDays(1), 10,
            TestContext.Current.CancellationToken));
        Assert.Equal(("claude-3-haiku", 2, 1, first.CostUsd), (line.Key, line.Predictions, line.CacheHits, line.CostUsd));
    }

    [Fact]
    public async Task WithRedisAnAnswerOneInstanceGotIsAHitOnAnotherAndWithRedisGoneQuestionsGoToTheModel()
    {
        await using var redis = await RedisServer.StartAsync();
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        var settings = Settings(server, cache: true);
        settings["Redis:Configuration"] = redis.Configuration;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        // The host adds Redis before SQLite, whose cache then gives way; TestPredictor adds SQLite first.
        void WithRedis(IServiceCollection services) => services.RemoveAll<IDistributedCache>().AddRedisStorage(configuration);
        using var first = new TestPredictor(settings, configure: WithRedis);
        using var second = new TestPredictor(settings, configure: WithRedis);

        var asked = await first.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");
        var shared = await second.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");
        redis.Stop();
        var withoutRedis = await second.PredictAsync(TestSpecs.BillingPath, "finish the invoice", 5, "GET /v1/invoices");

        Assert.IsAssignableFrom<RedisCache>(second.Get<IDistributedCache>());
        Assert.False(asked.Metadata.CacheHit);
        Assert.True(shared.Metadata.CacheHit);
        Assert.Equal(0m, shared.CostUsd);
        Assert.False(withoutRedis.Metadata.CacheHit);
        Assert.Contains(GeneratorNames.Llm, withoutRedis.Metadata.Generators);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task ACacheHitIsWrittenToTheLedgerByTheAccountingNotByTheCache()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Settings(server, cache: true));
        var caller = predictor.Get<LlmCaller>();
        ChatMessage[] question = [new(ChatRole.System, LlmPrompt.Instructions), new(ChatRole.User, "<data>{}</data>")];
        var first = TestSpecs.Context(TestSpecs.Billing, "take a payment");
        var second = TestSpecs.Context(TestSpecs.Billing, "take a payment");

        await caller.AskAsync(first, default, question, TimeSpan.FromMinutes(1), text => text, TestContext.Current.CancellationToken);
        var answer = await caller.AskAsync(second, default, question, TimeSpan.FromMinutes(1), text => text,
            TestContext.Current.CancellationToken);

        Assert.NotNull(answer);
        Assert.Single(server.Requests);
        var hit = Assert.Single(second.Trace.Routes);
        Assert.Equal((RouteReasons.CacheHit, true, 0m), (hit.Reason, hit.CacheHit, hit.ActualCostUsd));
        // The cache recorded the hit on the trace; the ledger has nothing of either question yet.
        Assert.Empty(await SpendByModelAsync(predictor));

        await predictor.Get<PredictionAccounting>().EnsureAccountedAsync(second, default, TestContext.Current.CancellationToken);

        var line = Assert.Single(await SpendByModelAsync(predictor));
        Assert.Equal(("claude-3-haiku", 1, 1, 1, 0m), (line.Key, line.Predictions, line.Entries, line.CacheHits, line.CostUsd));
    }

    [Fact]
    public async Task AnotherQuestionOrAnotherRequestedModelIsNotAnsweredFromTheCache()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Settings(server, cache: true));

        await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");
        await predictor.PredictAsync(TestSpecs.BillingPath, "add a customer", 5, "GET /v1/invoices");

        Assert.Equal(2, server.Requests.Count);
        ChatMessage[] question = [new(ChatRole.System, LlmPrompt.Instructions), new(ChatRole.User, "<data>{}</data>")];
        Assert.NotEqual(LlmResponseCacheChatClient.KeyOf(question, new ChatOptions { ModelId = "claude-3-haiku-20240307" }),
            LlmResponseCacheChatClient.KeyOf(question, new ChatOptions { ModelId = "claude-3-sonnet-20240229" }));
        Assert.NotEqual(LlmResponseCacheChatClient.KeyOf(question, new ChatOptions { MaxOutputTokens = 100 }),
            LlmResponseCacheChatClient.KeyOf(question, new ChatOptions { MaxOutputTokens = 200 }));
    }

    [Fact]
    public void WhoAsksAndWhatTheyWillPayAreNotPartOfTheKey()
    {
        ChatMessage[] question = [new(ChatRole.System, LlmPrompt.Instructions), new(ChatRole.User, "<data>{}</data>")];
        var context = TestSpecs.Context(TestSpecs.Billing, "take a payment");
        var asked = new LlmQuestion { MaxCostUsd = 1, Trace = context.Trace, IsUsable = _ => true }
            .AttachTo(new ChatOptions { MaxOutputTokens = 100 });
        var other = new LlmQuestion { Adaptive = false, Trace = new PredictionTrace(), IsUsable = _ => false }
            .AttachTo(new ChatOptions { MaxOutputTokens = 100 });

        Assert.Equal(LlmResponseCacheChatClient.KeyOf(question, asked), LlmResponseCacheChatClient.KeyOf(question, other));
    }

    [Fact]
    public async Task ACachedAnswerIsServedUntilItsTimeToLiveEndsAndAskedForAgainAfter()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Settings(server, cache: true), time);

        await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");
        time.Advance(new LlmCacheOptions().Ttl - TimeSpan.FromSeconds(1));
        var cached = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");
        time.Advance(TimeSpan.FromSeconds(2));
        var expired = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");

        Assert.True(cached.Metadata.CacheHit);
        Assert.False(expired.Metadata.CacheHit);
        Assert.True(expired.CostUsd > 0);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task AnAnswerKeptBeforeARestartIsServedFromTheSqliteFile()
    {
        var folder = Directory.CreateTempSubdirectory("opensesame-llm-cache-").FullName;
        try
        {
            using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
            var settings = Settings(server, cache: true);
            settings["Storage:DataDirectory"] = folder;
            using (var before = new TestPredictor(settings))
            {
                await before.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");
            }

            using var after = new TestPredictor(settings);
            var response = await after.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");

            Assert.True(response.Metadata.CacheHit);
            Assert.Single(server.Requests);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AnAnswerInTheWrongShapeIsNotKept()
    {
        using var server = new FakeLlmServer(() => Reply.WithText("I would suggest listing payments next."));
        using var predictor = new TestPredictor(Settings(server, cache: true));

        await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");
        var again = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");

        Assert.Equal(2, server.Requests.Count);
        Assert.False(again.Metadata.CacheHit);
        Assert.Equal("unreadable", Assert.Single(again.Metadata.LlmCalls).Outcome);
    }

    [Fact]
    public async Task ALocalRouteIsNotKeptSoALaterRequestThatMayPayIsAnswered()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        var settings = Settings(server, cache: true);
        // Sonnet only: the cap below is under its estimate, not Haiku's.
        settings["Routing:Models:claude-3-haiku:Enabled"] = "false";
        settings["Routing:Models:gpt-35-turbo:Enabled"] = "false";
        settings["Routing:QualityFloor"] = "0.9";
        using var predictor = new TestPredictor(settings);

        var capped = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, [TestSpecs.Event("GET /v1/invoices")],
            maxCostUsd: 0.0001m);
        var paying = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");

        Assert.Equal(RouteReasons.RequestCostCap, capped.Metadata.Route!.Reason);
        Assert.Equal(("claude-3-sonnet", false), (paying.Metadata.Route!.ActualModel, paying.Metadata.CacheHit));
        Assert.Single(server.Requests);
    }

    private static async Task<IReadOnlyList<SpendGroup>> SpendByModelAsync(TestPredictor predictor)
    {
        var now = predictor.Get<TimeProvider>().GetUtcNow();
        return await predictor.Get<ICostLedger>().SpendByAsync(CostGrouping.Model, now.AddDays(-1), now.AddDays(1), 10,
            TestContext.Current.CancellationToken);
    }
}
