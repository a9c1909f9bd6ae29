using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Specs;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Cli.Simulation;

/// <summary>What <c>opensesame simulate</c> replays; every default is the command's.</summary>
internal sealed record SimulationOptions
{
    /// <summary>Sessions to replay (at least 1).</summary>
    public int Sessions { get; init; } = 100;

    /// <summary>Seed of every random choice (sessions, users, times, repeats). Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The monthly budget (<c>Routing:MonthlyBudgetUsd</c>) for the run; null keeps the configured one ($100
    /// by default).</summary>
    public decimal? BudgetUsd { get; init; }

    /// <summary>The simulated month's first instant; sessions start anywhere in it. Default 1 March 2026, 00:00 UTC.</summary>
    public DateTimeOffset MonthStart { get; init; } = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Shortest session (5 minutes).</summary>
    public TimeSpan MinSessionLength { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest session (30 minutes).</summary>
    public TimeSpan MaxSessionLength { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Most predictions a session asks for (15); the fewest is the sampler's fewest calls (3).</summary>
    public int MaxPredictionsPerSession { get; init; } = 15;

    /// <summary>Chance that a user asks the same question again right after (0.2): a reload, a second tab, an agent
    /// retrying. The repeat carries the same history and prompt, so the model's context is identical.</summary>
    public double RepeatProbability { get; init; } = 0.2;

    /// <summary>Sessions per user (10): the pool has ⌈sessions / 10⌉ users, at least 2, at most 25.</summary>
    public int SessionsPerUser { get; init; } = 10;

    /// <summary>Predictions asked per step (5).</summary>
    public int K { get; init; } = 5;

    /// <summary>Settings on top of the configuration and the simulator's own (a test turns semantic retrieval off).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}

/// <summary>One prediction a simulated user asks for.</summary>
/// <param name="Repeat">The user asks again what they asked just before.</param>
internal sealed record SimulationStep(string UserId, string SessionId, DateTimeOffset At, SyntheticDomain Domain,
    IReadOnlyList<HistoryEvent> Events, string? Prompt, bool Repeat);

/// <summary>The spend after a share of the run's predictions, and who served the predictions since the last point.</summary>
internal sealed record BudgetPoint(int Predictions, DateTimeOffset At, decimal SpendUsd, double BudgetUsedPercent,
    IReadOnlyDictionary<string, int> ModelMix, int CacheHits);

/// <param name="ModelMix">Predictions by what answered their question: a model's id when a call to it did, "local"
/// when no model answered (none was chosen, or none answered); cache hits are counted apart, so the mix and
/// <see cref="CacheHits"/> add up to <see cref="Predictions"/>.</param>
/// <param name="Unanswered">Steps whose response held no prediction.</param>
/// <param name="InputTokens">Input tokens the provider reported, over all calls.</param>
/// <param name="OutputTokens">Output tokens the provider reported, over all calls.</param>
internal sealed record SimulationReport(
    int Sessions,
    int Users,
    int Predictions,
    int LlmCalls,
    int CacheHits,
    decimal SpendUsd,
    decimal BudgetUsd,
    decimal MaxRequestCostUsd,
    decimal CostPerPredictionUsd,
    IReadOnlyDictionary<string, int> ModelMix,
    IReadOnlyList<BudgetPoint> BudgetCurve,
    int Unanswered,
    DateTimeOffset From,
    DateTimeOffset Until,
    bool TrainedRanker,
    long InputTokens = 0,
    long OutputTokens = 0)
{
    /// <summary>Predictions whose question no model call answered: the cache's and the local ones.</summary>
    public double ServedWithoutLlmCallShare => Predictions == 0
        ? 0
        : (double)(CacheHits + ModelMix.GetValueOrDefault(RoutingOptions.Local)) / Predictions;
}

/// <summary>
/// Replays synthetic user sessions through the prediction service (<see cref="PredictionService"/>, as a client would) with the
/// LLM generator on, the real Anthropic SDK, the router, the response cache and the SQLite ledger, in a temporary data
/// directory, against <see cref="FakeAnthropicProvider"/>, on a <see cref="SimulatedClock"/> moved from one step to the
/// next. The sessions come from <see cref="SyntheticSessionSampler"/> over the project's own domains: one prediction
/// per call of a session (history so far, the prompt the user had typed), some asked twice, by users from a small
/// pool, spread over one month. Deterministic for a seed.
/// </summary>
internal static class ReplaySimulator
{
    /// <summary>Points of the budget curve: after each tenth of the predictions.</summary>
    public const int CurvePoints = 10;

    /// <summary>The steps of a run, in the order of their simulated time.</summary>
    public static IReadOnlyList<SimulationStep> Plan(SimulationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Sessions, 1);
        var sampler = new SyntheticSessionSampler(new SyntheticSamplerOptions
        {
            MaxCalls = Math.Min(new SyntheticSamplerOptions().MaxCalls, options.MaxPredictionsPerSession),

            // The bare walks: the simulation's session lengths and durations are its own options, which client
            // behaviours (retries, pages, fan-out) would stretch.
            Behaviours = ClientBehaviourOptions.None,
        });
        var sessions = sampler.Sample(options.Sessions, SyntheticDomains.All, options.Seed);
        var random = new Random(options.Seed);
        var users = Users(options);
        var month = options.MonthStart.AddMonths(1) - options.MonthStart;
        var steps = new List<(SimulationStep Step, int Session, int Index)>();
        for (var s = 0; s < sessions.Count; s++)
        {
            var session = sessions[s];
            var user = $"sim-user-{random.Next(users) + 1:00}";
            var length = options.MinSessionLength
                         + (options.MaxSessionLength - options.MinSessionLength) * random.NextDouble();
            var start = options.MonthStart + (month - options.MaxSessionLength) * random.NextDouble();
            // Which call each step predicts (its history is the calls before it), repeats included.
            var predicted = new List<(int Call, bool Repeat)>();
            for (var call = 0; call < session.Calls.Count; call++)
            {
                predicted.Add((call, false));
                if (random.NextDouble() < options.RepeatProbability)
                {
                    predicted.Add((call, true));
                }
            }

            predicted = predicted.Take(options.MaxPredictionsPerSession).ToList();
            var at = predicted.Select((_, i) => start + length * i / Math.Max(1, predicted.Count - 1))
                .Select(t => new DateTimeOffset(t.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero))
                .ToList();
            // A call is made a few seconds after the last time it was predicted (asked again or not).
            var made = new Dictionary<int, DateTimeOffset>();
            for (var i = 0; i < predicted.Count; i++)
            {
                made[predicted[i].Call] = at[i].AddSeconds(5);
            }

            var sessionId = $"sim-session-{s + 1:0000}";
            var domain = SyntheticDomains.Get(session.Domain);
            for (var i = 0; i < predicted.Count; i++)
            {
                var (call, repeat) = predicted[i];
                var events = session.Calls.Take(call).Select((c, n) => new HistoryEvent(made[n], c.Method, c.Path,
                    c.Params.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)))).ToList();
                steps.Add((new SimulationStep(user, sessionId, at[i], domain, events, session.Prompts[call], repeat), s, i));
            }
        }

        return steps.OrderBy(s => s.Step.At).ThenBy(s => s.Session).ThenBy(s => s.Index).Select(s => s.Step).ToList();
    }

    public static int Users(SimulationOptions options) =>
        Math.Clamp((options.Sessions + options.SessionsPerUser - 1) / options.SessionsPerUser, 2, 25);

    /// <param name="progress">Predictions done so far.</param>
    public static async Task<SimulationReport> RunAsync(SimulationOptions options, IReadOnlyList<SimulationStep> steps,
        IProgress<int>? progress, CancellationToken cancellationToken)
    {
        using var dataDirectory = TemporaryDataDirectory.Create("opensesame-simulate-");
        using var provider = new FakeAnthropicProvider();
        var clock = new SimulatedClock(options.MonthStart);
        await using var host = await CliHost.StartAsync(Settings(options, provider, dataDirectory.Path),
            services => services.AddSingleton<TimeProvider>(clock), cancellationToken);
        return await RunAsync(host, clock, options, steps, progress, cancellationToken);
    }

    private static async Task<SimulationReport> RunAsync(StartedHost host, SimulatedClock clock,
        SimulationOptions options, IReadOnlyList<SimulationStep> steps, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var trained = host.Get<IRankerSource>().CurrentModel is not null;
        var predictions = host.Get<PredictionService>();
        var budget = host.Get<IOptionsMonitor<RoutingOptions>>().CurrentValue.MonthlyBudgetUsd;
        var mix = new Dictionary<string, int>(StringComparer.Ordinal);
        var segmentMix = new Dictionary<string, int>(StringComparer.Ordinal);
        var curve = new List<BudgetPoint>();
        int llmCalls = 0, cacheHits = 0, segmentCacheHits = 0, unanswered = 0;
        decimal spend = 0m, maxCost = 0m;
        long inputTokens = 0, outputTokens = 0;
        var specs = new Dictionary<string, InlineSpec>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            clock.AdvanceTo(step.At);
            if (!specs.TryGetValue(step.Domain.Name, out var spec))
            {
                specs[step.Domain.Name] = spec = InlineSpec.FromText(step.Domain.SpecText);
            }

            // As a client sends it: the same validation, guards and records as every other prediction.
            var response = await predictions.PredictAsync(new PredictRequest
            {
                UserId = step.UserId,
                SessionId = step.SessionId,
                Events = [.. step.Events.Select(e => new EventBody { Ts = e.Timestamp, Endpoint = e.Endpoint, Params = e.Params.ToDictionary() })],
                Prompt = step.Prompt,
                Spec = spec,
                K = options.K,
            }, cancellationToken) switch
            {
                PredictionOutcome.Answered answered => answered.Response,
                var refused => throw new InvalidOperationException($"The simulator sent a request the service refused: {refused}"),
            };
            llmCalls += response.Metadata.LlmCalls.Count;
            inputTokens += response.Metadata.LlmCalls.Sum(c => c.InputTokens ?? 0);
            outputTokens += response.Metadata.LlmCalls.Sum(c => c.OutputTokens ?? 0);
            spend += response.CostUsd;
            maxCost = Math.Max(maxCost, response.CostUsd);
            unanswered += response.Predictions.Count == 0 ? 1 : 0;
            if (response.Metadata.CacheHit)
            {
                cacheHits++;
                segmentCacheHits++;
            }
            else
            {
                var served = response.Metadata.LlmCalls.LastOrDefault(c => c.Outcome == "ok")?.Model ?? RoutingOptions.Local;
                mix[served] = mix.GetValueOrDefault(served) + 1;
                segmentMix[served] = segmentMix.GetValueOrDefault(served) + 1;
            }

            if (curve.Count < CurvePoints && i + 1 >= (long)steps.Count * (curve.Count + 1) / CurvePoints)
            {
                curve.Add(new BudgetPoint(i + 1, step.At, spend, budget == 0 ? 100 : Math.Round((double)(spend / budget) * 100, 2),
                    Ordered(segmentMix), segmentCacheHits));
                segmentMix.Clear();
                segmentCacheHits = 0;
            }

            progress?.Report(i + 1);
        }

        // The ledger's word on the month, which should be the responses' sum.
        var ledger = host.Get<ICostLedger>();
        var ledgerSpend = await ledger.SpendAsync(options.MonthStart, options.MonthStart.AddMonths(1), cancellationToken);
        if (ledgerSpend != spend)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The ledger holds ${ledgerSpend} for the month, the responses cost ${spend}."));
        }

        return new SimulationReport(
            steps.Select(s => s.SessionId).Distinct(StringComparer.Ordinal).Count(),
            steps.Select(s => s.UserId).Distinct(StringComparer.Ordinal).Count(),
            steps.Count,
            llmCalls,
            cacheHits,
            ledgerSpend,
            budget,
            maxCost,
            steps.Count == 0 ? 0 : Math.Round(ledgerSpend / steps.Count, 9),
            Ordered(mix),
            curve,
            unanswered,
            steps.Count == 0 ? options.MonthStart : steps[0].At,
            steps.Count == 0 ? options.MonthStart : steps[^1].At,
            trained,
            inputTokens,
            outputTokens);
    }

    /// <summary>The simulator's settings: a temporary data directory, both providers pointed at the fake (so no key in
    /// the environment can reach a real one), deadlines generous enough that a loaded machine does not turn an answer
    /// into a timeout (which would make runs differ), and the budget.</summary>
    private static Dictionary<string, string?> Settings(SimulationOptions options, FakeAnthropicProvider provider, string dataDirectory)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            // The trained ranker of the configured data directory, when there is one; else the shipped one, as predict.
            ["Ranking:ModelDirectory"] = CliHost.ModelDirectory(),
            ["Llm:Anthropic:ApiKey"] = "simulated",
            ["Llm:Anthropic:BaseUrl"] = provider.BaseUrl,
            ["Llm:OpenAI:ApiKey"] = "simulated",
            ["Llm:OpenAI:BaseUrl"] = provider.BaseUrl + "/v1",
            ["Llm:AttemptTimeout"] = TimeSpan.FromSeconds(20).ToString(),
            ["Llm:Deadline"] = TimeSpan.FromSeconds(30).ToString(),
        };
        if (options.BudgetUsd is { } budget)
        {
            settings["Routing:MonthlyBudgetUsd"] = budget.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static Dictionary<string, int> Ordered(Dictionary<string, int> counts) => counts
        .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
        .ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
}
