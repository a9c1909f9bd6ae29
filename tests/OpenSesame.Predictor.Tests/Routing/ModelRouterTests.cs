using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Routing;

/// <summary>The routing policy on the default catalog. A typical prediction of 300 counted tokens is estimated at
/// $0.0002625 on Claude 3 Haiku, $0.000375 on GPT-3.5 Turbo and $0.00315 on Claude 3 Sonnet (150 output tokens).</summary>
public sealed class ModelRouterTests
{
    [Fact]
    public void ChoosesTheCheapestModelThatMeetsTheQualityFloor()
    {
        using var harness = new RoutingHarness();

        var decision = harness.Decide();

        Assert.Equal(("claude-3-haiku", "claude-3-haiku-20240307", "anthropic"), (decision.Model, decision.ModelId, decision.Provider));
        Assert.Equal(RouteReasons.CheapestMeetingQualityFloor, decision.Reason);
        Assert.Equal(0.0002625m, decision.EstimatedCostUsd);
        Assert.Equal((300, 150), (decision.EstimatedInputTokens, decision.EstimatedOutputTokens));
        Assert.Equal("gpt-35-turbo", decision.Fallback);
        Assert.Null(decision.ActualCostUsd);
    }

    [Fact]
    public void ARaisedQualityFloorSkipsTheModelsBelowIt()
    {
        using var harness = new RoutingHarness(new Dictionary<string, string?> { ["Routing:QualityFloor"] = "0.9" });

        var decision = harness.Decide();

        Assert.Equal("claude-3-sonnet", decision.Model);
        Assert.Equal(RouteReasons.CheapestMeetingQualityFloor, decision.Reason);
    }

    [Fact]
    public void WithoutAnthropicTheOpenAIModelServesAndHasNoFallback()
    {
        using var harness = new RoutingHarness();

        var decision = harness.Decide(providers: [RoutingOptions.OpenAI]);

        Assert.Equal("gpt-35-turbo", decision.Model);
        Assert.Null(decision.Fallback);
    }

    [Fact]
    public void WithNoProviderAvailableTheLocalGeneratorServes()
    {
        using var harness = new RoutingHarness();

        var decision = harness.Decide(providers: []);

        Assert.True(decision.IsLocal);
        Assert.Equal(RouteReasons.NoProvider, decision.Reason);
        Assert.Equal(0m, decision.EstimatedCostUsd);
    }

    [Fact]
    public void AComplexQueryEscalatesToSonnetWhileTheBudgetAllows()
    {
        using var harness = new RoutingHarness(RoutingHarness.OneDollarBudget);
        var complexity = ComplexityScorer.Score(new ComplexityInput(
            "Create a customer, then attach a card, then invoice each open order and finally email all invoices", 3, 40)).Score;

        var below = harness.Decide(complexity);

        Assert.Equal("claude-3-sonnet", below.Model);
        Assert.Equal(RouteReasons.ComplexQueryEscalated, below.Reason);
        Assert.Equal(0.00315m, below.EstimatedCostUsd);
        Assert.Equal("gpt-35-turbo", below.Fallback);
        Assert.Contains("Complex request", below.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PastTheDegradeLevelAComplexQueryNoLongerGetsSonnet()
    {
        using var harness = new RoutingHarness(RoutingHarness.OneDollarBudget);
        await harness.SpendAsync(0.75m);

        var complex = harness.Decide(complexity: 0.9);

        Assert.Equal("claude-3-haiku", complex.Model);
        Assert.Equal(RouteReasons.BudgetDegraded, complex.Reason);
        Assert.Equal(75, complex.BudgetUsedPercent);
    }

    [Fact]
    public void AnEstimateAboveThePerPredictionThresholdSwitchesToACheaperModel()
    {
        // 3,000 counted tokens: Sonnet $0.01125 (above the $0.01 threshold), Haiku $0.0009375.
        using var harness = new RoutingHarness();

        var decision = harness.Decide(complexity: 0.9, tokens: 3000);

        Assert.Equal("claude-3-haiku", decision.Model);
        Assert.Equal(RouteReasons.OverPredictionThreshold, decision.Reason);
        Assert.Equal(0.0009375m, decision.EstimatedCostUsd);
        Assert.Contains("$0.01125", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void WhenNoModelIsUnderThePerPredictionThresholdTheLocalGeneratorServes()
    {
        using var harness = new RoutingHarness(new Dictionary<string, string?> { ["Routing:PredictionCostThresholdUsd"] = "0.0002" });

        var decision = harness.Decide();

        Assert.True(decision.IsLocal);
        Assert.Equal(RouteReasons.OverPredictionThreshold, decision.Reason);
    }

    [Fact]
    public async Task AboveSeventyFivePercentItDegradesOneTierAndAlertsOnce()
    {
        using var harness = new RoutingHarness(RoutingHarness.OneDollarBudget);
        await harness.SpendAsync(0.74m);
        Assert.Equal("claude-3-haiku", harness.Decide().Model);
        Assert.Empty(harness.BudgetAlertLines());

        await harness.SpendAsync(0.01m);
        var simple = harness.Decide();
        await harness.SpendAsync(0.01m);
        await harness.SpendAsync(0.01m);

        Assert.True(simple.IsLocal);
        Assert.Equal(RouteReasons.BudgetDegraded, simple.Reason);
        var alert = Assert.Single(harness.BudgetAlertLines());
        Assert.Contains("level 75", alert, StringComparison.Ordinal);
        Assert.Contains("monthly", alert, StringComparison.Ordinal);
        var counted = Assert.Single(harness.Metrics.Of("opensesame.budget.alerts"), m => (string?)m.Tags["budget"] == "monthly");
        Assert.Equal(("monthly", "75"), ((string?)counted.Tags["budget"], (string?)counted.Tags["level"]));
    }

    [Fact]
    public async Task AtNinetyPercentItAlertsOnceMore()
    {
        using var harness = new RoutingHarness(RoutingHarness.OneDollarBudget);
        await harness.SpendAsync(0.75m);
        await harness.SpendAsync(0.1m);
        Assert.Single(harness.BudgetAlertLines());

        await harness.SpendAsync(0.05m);
        await harness.SpendAsync(0.03m);

        var lines = harness.BudgetAlertLines();
        Assert.Equal(2, lines.Count);
        Assert.Contains("level 90", lines[1], StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, harness.AlertLog.Entries.Last(e => e.Message.Contains("level 90", StringComparison.Ordinal)).Level);
    }

    [Fact]
    public async Task AtTheFullBudgetOnlyTheLocalGeneratorServes()
    {
        using var harness = new RoutingHarness(RoutingHarness.OneDollarBudget);
        await harness.SpendAsync(0.99m);
        Assert.False(harness.Decide(complexity: 0.9).IsLocal);

        await harness.SpendAsync(0.015m);

        foreach (var complexity in new[] { 0.0, 0.5, 1.0 })
        {
            var decision = harness.Decide(complexity);
            Assert.True(decision.IsLocal);
            Assert.Equal(RouteReasons.BudgetExhausted, decision.Reason);
            Assert.Equal(0m, decision.EstimatedCostUsd);
        }

        Assert.Contains(harness.AlertLog.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("level 100", StringComparison.Ordinal));
        Assert.Equal("75 90 100", string.Join(' ', harness.Metrics.Of("opensesame.budget.alerts")
            .Where(m => (string?)m.Tags["budget"] == "monthly").Select(m => m.Tags["level"])));
    }

    [Fact]
    public async Task ADailyBudgetDegradesOnItsOwnAndEmptiesAtMidnight()
    {
        using var harness = new RoutingHarness(new Dictionary<string, string?> { ["Routing:DailyBudgetUsd"] = "0.1" });
        await harness.SpendAsync(0.08m);

        var degraded = harness.Decide();
        harness.Time.Advance(TimeSpan.FromDays(1));
        var nextDay = harness.Decide();

        Assert.True(degraded.IsLocal);
        Assert.Equal(RouteReasons.BudgetDegraded, degraded.Reason);
        Assert.Contains("daily budget is 80 %", degraded.Explanation, StringComparison.Ordinal);
        Assert.Equal("claude-3-haiku", nextDay.Model);
        Assert.Contains("daily", Assert.Single(harness.BudgetAlertLines()), StringComparison.Ordinal);
    }

    [Fact]
    public void MaxCostUsdCapsTheChoice()
    {
        using var harness = new RoutingHarness();

        var nothingAffordable = harness.Decide(maxCostUsd: 0.0001m);
        var complexCapped = harness.Decide(complexity: 0.9, maxCostUsd: 0.001m);
        var generous = harness.Decide(complexity: 0.9, maxCostUsd: 1m);

        Assert.True(nothingAffordable.IsLocal);
        Assert.Equal(RouteReasons.RequestCostCap, nothingAffordable.Reason);
        Assert.Equal("claude-3-haiku", complexCapped.Model);
        Assert.Equal(RouteReasons.RequestCostCap, complexCapped.Reason);
        Assert.Equal("gpt-35-turbo", complexCapped.Fallback);
        Assert.Equal("claude-3-sonnet", generous.Model);
    }

    [Fact]
    public async Task TheRestOfTheBudgetCapsTheChoiceBeforeItIsSpent()
    {
        using var harness = new RoutingHarness(new Dictionary<string, string?>(RoutingHarness.OneDollarBudget)
        {
            ["Routing:DegradePercent"] = "100",
        });
        await harness.SpendAsync(0.9985m);

        // $0.0015 left: Sonnet ($0.00315) no longer fits, Haiku ($0.0002625) does.
        var decision = harness.Decide(complexity: 0.9);

        Assert.Equal("claude-3-haiku", decision.Model);
        Assert.Equal(RouteReasons.BudgetRemaining, decision.Reason);
    }

    [Fact]
    public void HotReloadedPricesChangeTheDecision()
    {
        using var harness = new RoutingHarness();
        Assert.Equal("claude-3-haiku", harness.Decide().Model);

        harness.Settings.Set(new Dictionary<string, string?>
        {
            ["Routing:Models:claude-3-haiku:InputUsdPerMillionTokens"] = "5",
            ["Routing:Models:claude-3-haiku:OutputUsdPerMillionTokens"] = "25",
        });
        var repriced = harness.Decide();

        Assert.Equal("gpt-35-turbo", repriced.Model);
        Assert.Equal(0.000375m, repriced.EstimatedCostUsd);
    }

    [Fact]
    public void AnInvalidReloadKeepsTheLastValidSettingsAndIsLogged()
    {
        using var harness = new RoutingHarness();
        Assert.Equal("claude-3-haiku", harness.Decide().Model);

        harness.Settings.Set("Routing:Models:claude-3-haiku:Quality", "7");
        var decision = harness.Decide();
        harness.Decide();

        Assert.Equal("claude-3-haiku", decision.Model);
        var error = Assert.Single(harness.SettingsLog.At(LogLevel.Error));
        Assert.Contains("Routing:Models:claude-3-haiku:Quality must be between 0 and 1 (is 7)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDecisionCarriesItsActualCostAfterTheCallAndTheEstimateLearnsTheTokenRatio()
    {
        using var harness = new RoutingHarness();
        var decision = harness.Decide();

        var accounted = await harness.RecordAsync(decision, new RouteUsage { InputTokens = 360, OutputTokens = 120 });
        var next = harness.Decide();

        // 360 × $0.25/M + 120 × $1.25/M
        Assert.Equal(0.00024m, accounted.ActualCostUsd);
        Assert.Equal(("claude-3-haiku", 360L, 120L), (accounted.ActualModel, accounted.ActualInputTokens, accounted.ActualOutputTokens));
        Assert.Equal(360, next.EstimatedInputTokens);
        var json = JsonSerializer.Serialize(accounted, ContractJson.Options);
        Assert.Contains("\"reason\":\"cheapest_meeting_quality_floor\"", json, StringComparison.Ordinal);
        Assert.Contains("\"estimated_cost_usd\":0.0002625", json, StringComparison.Ordinal);
        Assert.Contains("\"actual_cost_usd\":0.00024", json, StringComparison.Ordinal);
        Assert.DoesNotContain("counted_tokens", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACacheHitCostsNothing()
    {
        using var harness = new RoutingHarness();

        var accounted = await harness.RecordAsync(harness.Decide(), new RouteUsage { CacheHit = true });

        Assert.Equal(0m, accounted.ActualCostUsd);
        var entry = Assert.Single(await harness.Ledger.SpendByAsync(CostGrouping.Model, DateTimeOffset.MinValue,
            DateTimeOffset.MaxValue, 10, TestContext.Current.CancellationToken));
        Assert.Equal((1, 0m), (entry.CacheHits, entry.CostUsd));
    }
}
