using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Routing;
using static OpenSesame.Predictor.Tests.Candidates.Llm.FakeLlmServer;

namespace OpenSesame.Predictor.Tests.Candidates.Llm;

/// <summary>Retries, timeouts and circuit breakers around the providers, on the real SDKs against fake APIs.</summary>
public sealed class LlmResilienceTests
{
    private static readonly string[] AnthropicAnswer = ["GET /v1/payments", "POST /v1/customers"];
    private static readonly string[] OpenAIAnswer = ["GET /v1/customers/{customer}", "POST /v1/invoices/{invoice}/lines"];

    // Attempts that only the fake clock ends.
    private static readonly TimeSpan LongAttempt = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ARateLimitWithRetryAfterIsWaitedOutOnTheServicesClockAndTheSameProvidersAnswerIsUsed()
    {
        var time = new WatchedTime();
        using var server = new FakeLlmServer(InTurn(Reply.RetryAfter(429, 1), Reply.Candidates(AnthropicAnswer)),
            () => Reply.Candidates(OpenAIAnswer));
        using var predictor = new TestPredictor(Retrying(server), time);
        using var unwind = time.UnwindWhenDisposed();

        var generating = GenerateAsync(predictor);
        // Polly waits the second the provider asked for (its own backoff would be about 10 ms), on the injected clock.
        await time.StartedAsync(TimeSpan.FromSeconds(1));
        Assert.False(generating.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var candidates = await generating;

        Assert.Equal(AnthropicAnswer, candidates.Select(c => c.Operation.Key));
        Assert.Equal((2, 0), (server.Count(MessagesPath), server.Count(CompletionsPath)));
        Assert.Equal([("anthropic", "ok")], Outcomes(predictor));
    }

    [Fact]
    public async Task AnOverloadedAnthropicAnswering529IsAskedAgainAndItsAnswerIsUsed()
    {
        using var server = new FakeLlmServer(InTurn(Reply.Status(529), Reply.Candidates(AnthropicAnswer)),
            () => Reply.Candidates(OpenAIAnswer));
        using var predictor = new TestPredictor(Retrying(server));

        var candidates = await GenerateAsync(predictor);

        Assert.Equal(AnthropicAnswer, candidates.Select(c => c.Operation.Key));
        Assert.Equal((2, 0), (server.Count(MessagesPath), server.Count(CompletionsPath)));
    }

    [Fact]
    public async Task AnthropicFailingWithServerErrorsOnEveryTryLeavesTheAnswerToOpenAI()
    {
        using var server = new FakeLlmServer(() => Reply.Status(500), () => Reply.Candidates(OpenAIAnswer));
        using var predictor = new TestPredictor(Retrying(server));

        var candidates = await GenerateAsync(predictor);

        Assert.Equal(OpenAIAnswer, candidates.Select(c => c.Operation.Key));
        // The first try and both retries, then the fallback.
        Assert.Equal((3, 1), (server.Count(MessagesPath), server.Count(CompletionsPath)));
        Assert.Equal([("anthropic", "error"), ("openai", "ok")], Outcomes(predictor));
    }

    [Fact]
    public async Task AnUnreachableAnthropicLeavesTheAnswerToOpenAI()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(AnthropicAnswer), () => Reply.Candidates(OpenAIAnswer));
        var settings = Retrying(server);
        settings["Llm:Anthropic:BaseUrl"] = $"http://127.0.0.1:{LoopbackHttpServer.FreePort()}";
        using var predictor = new TestPredictor(settings);

        var candidates = await GenerateAsync(predictor);

        Assert.Equal(OpenAIAnswer, candidates.Select(c => c.Operation.Key));
        Assert.Equal((0, 1), (server.Count(MessagesPath), server.Count(CompletionsPath)));
        Assert.Equal([("anthropic", "error"), ("openai", "ok")], Outcomes(predictor));
    }

    [Fact]
    public async Task WithBothProvidersDownThereAreNoLlmCandidatesAndThePredictionAnswersFromLocalOnes()
    {
        using var server = new FakeLlmServer(() => Reply.Status(503), () => Reply.Status(500));
        using var predictor = new TestPredictor(Retrying(server));

        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "list invoices", 5);

        Assert.Equal(5, response.Predictions.Count);
        Assert.All(response.Predictions, p => Assert.Equal(GeneratorNames.Local, p.Source));
        Assert.Equal((3, 3), (server.Count(MessagesPath), server.Count(CompletionsPath)));
        Assert.Equal([("anthropic", "error"), ("openai", "error")], Outcomes(predictor));
    }

    [Fact]
    public async Task ProvidersThatHangLeaveThePredictionToTheLocalCandidatesWithinTheDeadline()
    {
        var deadline = TimeSpan.FromMilliseconds(300);
        using var server = new FakeLlmServer(Reply.Hang, Reply.Hang);
        // Anthropic's attempt ends at 250 ms, so a generator that let OpenAI take its own 250 ms past the deadline
        // would answer after 500 ms. The breaker is another test's subject: it stays closed here.
        var settings = Retrying(server, attemptSeconds: 0.25, deadlineSeconds: deadline.TotalSeconds);
        settings["Llm:Resilience:MinimumThroughput"] = "100";
        using var predictor = new TestPredictor(settings);
        for (var i = 0; i < 2; i++)
        {
            await predictor.PredictAsync(TestSpecs.BillingPath, "warm up", 5); // parse the spec and JIT outside the clock
        }

        var warmUps = Outcomes(predictor).Count;
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            var response = await predictor.PredictAsync(TestSpecs.BillingPath, "list invoices", 5);
            clock.Stop();

            Assert.Equal(5, response.Predictions.Count);
            Assert.All(response.Predictions, p => Assert.Equal(GeneratorNames.Local, p.Source));
            Assert.True(clock.Elapsed < deadline + TimeSpan.FromSeconds(1), $"answered after {clock.Elapsed}");
            // The LLM generator's own time, as the prediction's trace measured it: the part the deadline governs,
            // without the local work a loaded machine stretches.
            var llm = TimeSpan.FromMilliseconds(response.Metadata.StagesMs["generate.llm"]);
            fastest = llm < fastest ? llm : fastest;
        }

        // The best of three within deadline + 50 ms: on a loaded, shared 2-core machine one timer can fire tens of
        // milliseconds late, but a generator that overran the deadline would overrun it every time (by 200 ms here).
        Assert.True(fastest < deadline + TimeSpan.FromMilliseconds(50), $"fastest LLM generator after {fastest}");
        // Each prediction's deadline ends the one attempt still running, whichever it is: on an idle machine Anthropic's
        // attempt has timed out and OpenAI's is cut, on a loaded one a late timer can leave the cut to Anthropic's.
        var outcomes = Outcomes(predictor).Skip(warmUps).ToList();
        Assert.Equal(3, outcomes.Count(o => o.Outcome == "deadline"));
        Assert.All(outcomes, o => Assert.True(o.Outcome is "timeout" or "deadline", $"{o.Provider}: {o.Outcome}"));
    }

    [Fact]
    public async Task TheCircuitOpensAfterRepeatedFailuresSoRequestsGoStraightToOpenAIAndClosesAfterItsBreakDuration()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var server = new FakeLlmServer(InTurn(Reply.Status(500), Reply.Status(500), Reply.Status(500), Reply.Status(500),
            Reply.Candidates(AnthropicAnswer)), () => Reply.Candidates(OpenAIAnswer));
        // No retries, so every prediction is one try; the defaults open the circuit at 4 attempts with half failing.
        using var predictor = new TestPredictor(FakeLlmServer.Settings(server), time);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(OpenAIAnswer, (await GenerateAsync(predictor)).Select(c => c.Operation.Key));
        }

        // Open: Anthropic is not asked, and OpenAI answers without waiting for it.
        Assert.Equal(OpenAIAnswer, (await GenerateAsync(predictor)).Select(c => c.Operation.Key));
        Assert.Equal((4, 5), (server.Count(MessagesPath), server.Count(CompletionsPath)));
        Assert.Equal(("anthropic", "circuit-open"), Outcomes(predictor)[^2]);

        time.Advance(new LlmResilienceOptions().BreakDuration);

        // Half-open lets one call through; it succeeds, so the circuit closes and Anthropic answers again.
        Assert.Equal(AnthropicAnswer, (await GenerateAsync(predictor)).Select(c => c.Operation.Key));
        Assert.Equal(AnthropicAnswer, (await GenerateAsync(predictor)).Select(c => c.Operation.Key));
        Assert.Equal((6, 5), (server.Count(MessagesPath), server.Count(CompletionsPath)));
    }

    [Fact]
    public async Task ARetryAfterLongerThanTheCapIsNotWaitedForAndOpenAIAnswersAtOnce()
    {
        var time = new WatchedTime();
        using var server = new FakeLlmServer(() => Reply.RetryAfter(429, 30), () => Reply.Candidates(OpenAIAnswer));
        // The attempt and the deadline would both allow the 30 s: only the cap stands in the way. The clock never
        // moves, so a wait of any length would never end.
        using var predictor = new TestPredictor(Retrying(server, attemptSeconds: 60, deadlineSeconds: 90), time);
        using var unwind = time.UnwindWhenDisposed();

        var candidates = await GenerateAsync(predictor).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        Assert.Equal(OpenAIAnswer, candidates.Select(c => c.Operation.Key));
        Assert.Equal((1, 1), (server.Count(MessagesPath), server.Count(CompletionsPath)));
        Assert.Equal([("anthropic", "error"), ("openai", "ok")], Outcomes(predictor));
    }

    [Fact]
    public async Task TheAttemptTimeoutCutsARetryThatWouldOutlastIt()
    {
        var time = new WatchedTime();
        using var server = new FakeLlmServer(() => Reply.RetryAfter(429, 5), () => Reply.Candidates(OpenAIAnswer));
        var settings = Retrying(server, attemptSeconds: 2);
        settings["Llm:Resilience:MaxRetryAfter"] = "00:00:10";
        using var predictor = new TestPredictor(settings, time);
        using var unwind = time.UnwindWhenDisposed();

        var generating = GenerateAsync(predictor);
        // The retry waits the 5 s Anthropic asked for; the attempt has 2 s in all.
        await time.StartedAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(2));
        var candidates = await generating;

        Assert.Equal(OpenAIAnswer, candidates.Select(c => c.Operation.Key));
        Assert.Equal((1, 1), (server.Count(MessagesPath), server.Count(CompletionsPath)));
        Assert.Equal([("anthropic", "timeout"), ("openai", "ok")], Outcomes(predictor));
    }

    [Fact]
    public async Task AFakeClockDrivesTheDeadline()
    {
        var time = new WatchedTime();
        var deadline = TimeSpan.FromMinutes(10);
        using var server = new FakeLlmServer(Reply.Hang, Reply.Hang);
        using var predictor = new TestPredictor(Settings(server, attemptSeconds: 1200, deadline.TotalSeconds), time);
        using var unwind = time.UnwindWhenDisposed();

        var generating = GenerateAsync(predictor);
        // Had the deadline been on the system clock, the question would wait ten real minutes after this, and the
        // wait below would fail the test first.
        await server.ReceivedAsync(MessagesPath);
        Assert.False(generating.IsCompleted);
        time.Advance(deadline);
        var candidates = await generating.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        Assert.Empty(candidates);
        // Cut by the deadline, not used up: and the deadline leaves no time for OpenAI.
        Assert.Equal([("anthropic", "deadline")], Outcomes(predictor));
    }

    [Fact]
    public async Task TheBreakerDoesNotCountCallsTheDeadlineCutShort()
    {
        var time = new WatchedTime();
        var deadline = TimeSpan.FromMinutes(1);
        var answering = false;
        using var server = new FakeLlmServer(() => Volatile.Read(ref answering) ? Reply.Candidates(AnthropicAnswer) : Reply.Hang());
        using var predictor = new TestPredictor(Breaking(Settings(server, attemptSeconds: 120, deadline.TotalSeconds)), time);
        using var unwind = time.UnwindWhenDisposed();

        for (var i = 1; i <= 3; i++)
        {
            var generating = GenerateAsync(predictor);
            await server.ReceivedAsync(MessagesPath, i);
            time.Advance(deadline);
            Assert.Empty(await generating);
        }

        // Three failures of three would have opened a circuit that opens at two of two; these were not failures.
        Volatile.Write(ref answering, true);
        var answered = await GenerateAsync(predictor).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(AnthropicAnswer, answered.Select(c => c.Operation.Key));
        Assert.Equal(["deadline", "deadline", "deadline", "ok"], Outcomes(predictor).Select(o => o.Outcome));
    }

    [Fact]
    public async Task AProviderThatUsesUpItsAttemptsHasItsCircuitOpened()
    {
        var time = new WatchedTime();
        using var server = new FakeLlmServer(Reply.Hang, () => Reply.Candidates(OpenAIAnswer));
        using var predictor = new TestPredictor(Breaking(Settings(server, LongAttempt.TotalSeconds, deadlineSeconds: 600)), time);
        using var unwind = time.UnwindWhenDisposed();

        await UseUpTwoAttemptsAsync(predictor, server, time);

        // Two attempts used up of two: open, so Anthropic is not asked and OpenAI answers at once.
        var answered = await GenerateAsync(predictor).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(OpenAIAnswer, answered.Select(c => c.Operation.Key));
        Assert.Equal(2, server.Count(MessagesPath));
        Assert.Equal([("anthropic", "timeout"), ("openai", "ok"), ("anthropic", "timeout"), ("openai", "ok"),
            ("anthropic", "circuit-open"), ("openai", "ok")], Outcomes(predictor));
    }

    [Fact]
    public async Task AHangingProviderWhoseCircuitOpenedIsAskedAgainAfterTheBreakAndTheCircuitClosesOnceItAnswers()
    {
        var time = new WatchedTime();
        var recovered = false;
        using var server = new FakeLlmServer(() => Volatile.Read(ref recovered) ? Reply.Candidates(AnthropicAnswer) : Reply.Hang(),
            () => Reply.Candidates(OpenAIAnswer));
        using var predictor = new TestPredictor(Breaking(Settings(server, LongAttempt.TotalSeconds, deadlineSeconds: 600)), time);
        using var unwind = time.UnwindWhenDisposed();
        await UseUpTwoAttemptsAsync(predictor, server, time);

        // Open, and still open after the provider recovers, until the break is over: it is not asked.
        Volatile.Write(ref recovered, true);
        var whileOpen = await GenerateAsync(predictor).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(OpenAIAnswer, whileOpen.Select(c => c.Operation.Key));
        Assert.Equal(2, server.Count(MessagesPath));

        time.Advance(new LlmResilienceOptions().BreakDuration);

        // Half-open lets one trial call through; it answers, so the circuit closes and the next question goes there too.
        for (var i = 0; i < 2; i++)
        {
            var answered = await GenerateAsync(predictor).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
            Assert.Equal(AnthropicAnswer, answered.Select(c => c.Operation.Key));
        }

        Assert.Equal(4, server.Count(MessagesPath));
        Assert.Equal([("anthropic", "timeout"), ("openai", "ok"), ("anthropic", "timeout"), ("openai", "ok"),
            ("anthropic", "circuit-open"), ("openai", "ok"), ("anthropic", "ok"), ("anthropic", "ok")], Outcomes(predictor));
    }

    /// <summary>Two questions whose Anthropic attempt hangs until the fake clock passes <see cref="LongAttempt"/>, each
    /// then answered by OpenAI: enough to open a <see cref="Breaking"/> circuit.</summary>
    private static async Task UseUpTwoAttemptsAsync(TestPredictor predictor, FakeLlmServer server, WatchedTime time)
    {
        for (var i = 1; i <= 2; i++)
        {
            var generating = GenerateAsync(predictor);
            await server.ReceivedAsync(MessagesPath, i);
            time.Advance(LongAttempt);
            Assert.Equal(OpenAIAnswer, (await generating).Select(c => c.Operation.Key));
        }
    }

    /// <summary>The fake's settings with two retries and a 10 ms backoff, so that retried tests stay quick.</summary>
    private static Dictionary<string, string?> Retrying(FakeLlmServer server, double attemptSeconds = 20, double deadlineSeconds = 40)
    {
        var settings = FakeLlmServer.Settings(server, attemptSeconds, deadlineSeconds, retries: 2);
        settings["Llm:Resilience:RetryBaseDelay"] = TimeSpan.FromMilliseconds(10).ToString("c", CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>A breaker that opens at two failures of two, and remembers them for an hour of the fake clock.</summary>
    private static Dictionary<string, string?> Breaking(Dictionary<string, string?> settings)
    {
        settings["Llm:Resilience:MinimumThroughput"] = "2";
        settings["Llm:Resilience:SamplingDuration"] = "01:00:00";
        return settings;
    }

    private static List<(string Provider, string Outcome)> Outcomes(TestPredictor predictor) =>
        [.. predictor.Get<LlmUsageLog>().Recent().Select(u => (u.Provider, u.Outcome))];

    private static async Task<IReadOnlyList<ProposedCall>> GenerateAsync(TestPredictor predictor)
    {
        var llm = predictor.Get<IEnumerable<ICandidateGenerator>>().Single(g => g.Name == GeneratorNames.Llm);
        return await llm.GenerateAsync(Stages.Request(TestSpecs.Context(TestSpecs.Billing, null)), 10, TestContext.Current.CancellationToken);
    }
}
