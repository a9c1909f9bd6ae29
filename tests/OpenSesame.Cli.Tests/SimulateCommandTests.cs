using System.Text;
using System.Text.Json.Nodes;
using OpenSesame.Cli.Simulation;
using OpenSesame.Predictor.Guardrails.Injection;

namespace OpenSesame.Cli.Tests;

/// <summary>
/// <c>opensesame simulate</c>: synthetic sessions through the real pipeline, router, cache and ledger against the fake
/// provider on 127.0.0.1, over a simulated month. Small runs (20 sessions, about 160 predictions) keep each test to
/// seconds.
/// </summary>
public sealed class SimulateCommandTests
{
    private static readonly string[] Shown =
        ["GET /invoices", "POST /invoices/{invoice}/send", "GET /customers", "DELETE /invoices/{invoice}"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithAFiveCentBudgetSpendStaysWithinOneRequestOfItAndLocalAnswersTakeOverWhenItFills()
    {
        var options = new SimulationOptions { Sessions = 20, Seed = 7, BudgetUsd = 0.05m };
        var steps = ReplaySimulator.Plan(options);

        var report = await ReplaySimulator.RunAsync(options, steps, null, Cancel);

        Assert.Equal(0.05m, report.BudgetUsd);
        Assert.True(report.SpendUsd <= report.BudgetUsd + report.MaxRequestCostUsd,
            $"spent {report.SpendUsd}, more than the budget and one request ({report.MaxRequestCostUsd})");
        // Every step of every session was answered, after the budget filled as before.
        Assert.Equal(steps.Count, report.Predictions);
        Assert.Equal(0, report.Unanswered);
        Assert.Equal(report.Predictions, report.ModelMix.Values.Sum() + report.CacheHits);
        // The budget filled: the policy stopped paying (from 75 % a simple question goes local).
        Assert.True(report.SpendUsd >= 0.75m * report.BudgetUsd, $"spent only {report.SpendUsd}");
        // The mix shifts: the first third of the run is served by models, the last third locally.
        var first = Shares(report.BudgetCurve.Take(3));
        var last = Shares(report.BudgetCurve.TakeLast(3));
        Assert.True(first.Models > 0.5, $"models served {first.Models:P0} of the first third");
        Assert.True(last.Local > 0.9, $"local served {last.Local:P0} of the last third");
        Assert.Equal(report.SpendUsd, report.BudgetCurve[^1].SpendUsd);
        Assert.Equal(report.BudgetCurve.Select(p => p.SpendUsd).Order(), report.BudgetCurve.Select(p => p.SpendUsd));
    }

    [Fact]
    public async Task TheSameSeedRepeatsTheRunExactlyAndRepeatedQuestionsAreAnsweredFromTheCache()
    {
        string[] args = ["simulate", "--sessions", "12", "--seed", "3", "--json"];

        var (code, output, _) = await RunAsync(args);
        var (again, outputAgain, _) = await RunAsync(args);

        Assert.Equal((0, 0), (code, again));
        Assert.Equal(output, outputAgain);
        var result = JsonNode.Parse(output)!.AsObject();
        Assert.Equal(["predictions", "llm_calls", "cache_hits", "spend_usd", "budget_usd", "max_request_cost_usd",
            "cost_per_prediction_usd", "model_mix", "budget_curve"], result.Select(p => p.Key));
        Assert.True((int)result["cache_hits"]! > 0);
        Assert.True((int)result["llm_calls"]! > 0);
        Assert.Equal(100m, (decimal)result["budget_usd"]!);
        Assert.Equal(Math.Round((decimal)result["spend_usd"]! / (int)result["predictions"]!, 9),
            (decimal)result["cost_per_prediction_usd"]!);
        Assert.Equal(10, result["budget_curve"]!.AsArray().Count);
    }

    [Fact]
    public void SessionsLastFiveToThirtyMinutesWithThreeToFifteenPredictionsByUsersOfASmallPoolWithinTheMonth()
    {
        var options = new SimulationOptions { Sessions = 60, Seed = 11 };

        var steps = ReplaySimulator.Plan(options);

        var sessions = steps.GroupBy(s => s.SessionId).ToList();
        Assert.Equal(60, sessions.Count);
        Assert.All(sessions, s =>
        {
            Assert.InRange(s.Count(), 3, 15);
            Assert.InRange(s.Max(x => x.At) - s.Min(x => x.At), TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1),
                TimeSpan.FromMinutes(30));
            Assert.Single(s.Select(x => x.UserId).Distinct());
        });
        Assert.Equal(6, steps.Select(s => s.UserId).Distinct().Count());
        Assert.All(steps, s => Assert.InRange(s.At, options.MonthStart, options.MonthStart.AddMonths(1)));
        Assert.Equal(steps.Select(s => s.At).Order(), steps.Select(s => s.At));
        Assert.Contains(steps, s => s.Repeat);
        Assert.Equal(steps.Select(Describe), ReplaySimulator.Plan(options).Select(Describe));
    }

    [Fact]
    public void ARepeatedQuestionCarriesTheSameHistoryAndPromptAsTheOneBeforeIt()
    {
        var steps = ReplaySimulator.Plan(new SimulationOptions { Sessions = 30, Seed = 5 });

        var repeats = steps.Where(s => s.Repeat).ToList();
        Assert.NotEmpty(repeats);
        Assert.All(repeats, repeat =>
        {
            var before = steps.Last(s => s.SessionId == repeat.SessionId && s.At < repeat.At);
            Assert.Equal(before.Prompt, repeat.Prompt);
            Assert.Equal(before.Events.Select(e => (e.Timestamp, e.Endpoint)), repeat.Events.Select(e => (e.Timestamp, e.Endpoint)));
        });
    }

    [Fact]
    public void TheFakeProviderProposesOperationsTheRequestShowsAndReportsUsageFromItsSize()
    {
        var data = """{"operations":[{"endpoint":"GET /invoices","summary":"List invoices","params":[]},{"endpoint":"POST /invoices/{invoice}/send","summary":"Send","params":["invoice (path, required)"]},{"endpoint":"GET /customers","summary":"List customers","params":[]},{"endpoint":"DELETE /invoices/{invoice}","summary":"Delete","params":["invoice (path, required)"]}],"history":[{"endpoint":"GET /invoices/in_1","params":{"invoice":"in_1"}}],"prompt":"send it","count":10}""";
        var request = new JsonObject
        {
            ["model"] = "claude-3-haiku-20240307",
            ["max_tokens"] = 1024,
            ["system"] = new string('s', 400),
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = UntrustedContent.Wrap("request", data) }),
        }.ToJsonString();

        var answer = JsonNode.Parse(FakeAnthropicProvider.Answer(request))!;

        Assert.Equal(answer.ToJsonString(), JsonNode.Parse(FakeAnthropicProvider.Answer(request))!.ToJsonString());
        var text = (string)answer["content"]![0]!["text"]!;
        var candidates = JsonNode.Parse(text)!["candidates"]!.AsArray();
        Assert.InRange(candidates.Count, 3, 4);
        Assert.All(candidates, c => Assert.Contains((string)c!["endpoint"]!, Shown));
        Assert.All(candidates.Where(c => ((string)c!["endpoint"]!).Contains("{invoice}", StringComparison.Ordinal)),
            c => Assert.Equal("in_1", (string)c!["params"]!["invoice"]!));
        // The text the model reads (system, role and content) at four characters a token, rounded up; the answer likewise.
        var read = 400 + "user".Length + UntrustedContent.Wrap("request", data).Length;
        Assert.Equal((read + 3) / 4, (int)answer["usage"]!["input_tokens"]!);
        Assert.Equal((text.Length + 3) / 4, (int)answer["usage"]!["output_tokens"]!);
        Assert.Equal("claude-3-haiku-20240307", (string)answer["model"]!);
    }

    [Theory]
    [InlineData("--sessions", "0", "--sessions must be at least 1; it was 0.")]
    [InlineData("--budget-usd", "-1", "--budget-usd must not be negative.")]
    public async Task RefusesNoSessionsAndANegativeBudget(string option, string value, string message)
    {
        var (code, output, error) = await RunAsync("simulate", option, value);

        Assert.Equal((2, ""), (code, output));
        Assert.Equal(message, error.Trim());
    }

    private static (double Models, double Local) Shares(IEnumerable<BudgetPoint> points)
    {
        var list = points.ToList();
        var total = (double)list.Sum(p => p.ModelMix.Values.Sum() + p.CacheHits);
        var local = list.Sum(p => p.ModelMix.GetValueOrDefault("local"));
        var models = list.Sum(p => p.ModelMix.Where(m => m.Key != "local").Sum(m => m.Value));
        return (models / total, local / total);
    }

    private static string Describe(SimulationStep step) => new StringBuilder()
        .Append(step.UserId).Append(step.SessionId).Append(step.At.UtcTicks).Append(step.Domain.Name).Append(step.Prompt)
        .AppendJoin(',', step.Events.Select(e => e.Endpoint)).ToString();

    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) =>
        CommandRun.RunAsync(SimulateCommand.Create(), args);
}
