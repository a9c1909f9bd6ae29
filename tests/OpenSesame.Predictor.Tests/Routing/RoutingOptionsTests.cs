using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Routing;

public sealed class RoutingOptionsTests
{
    [Fact]
    public void TheDefaultsAreValidAndCarryTheListPrices()
    {
        var options = new RoutingOptions();

        Assert.True(new RoutingOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal((0.25m, 1.25m), (options.Models["claude-3-haiku"].InputUsdPerMillionTokens, options.Models["claude-3-haiku"].OutputUsdPerMillionTokens));
        Assert.Equal((3m, 15m), (options.Models["claude-3-sonnet"].InputUsdPerMillionTokens, options.Models["claude-3-sonnet"].OutputUsdPerMillionTokens));
        Assert.Equal((0.5m, 1.5m), (options.Models["gpt-35-turbo"].InputUsdPerMillionTokens, options.Models["gpt-35-turbo"].OutputUsdPerMillionTokens));
        Assert.Equal((0.8, 0.01m, 100m, null), (options.QualityFloor, options.PredictionCostThresholdUsd, options.MonthlyBudgetUsd, options.DailyBudgetUsd));
        Assert.Equal([75.0, 90.0, 100.0], options.EffectiveAlertPercents);
    }

    [Fact]
    public void InvalidSettingsAreRefusedWithTheKeyAndTheRuleNamed()
    {
        var options = new RoutingOptions { QualityFloor = 1.5, MonthlyBudgetUsd = 0, DegradePercent = 120, AlertWebhookUrl = "ftp://x" };
        options.Models["local"].Enabled = false;
        options.Models["claude-3-haiku"].Provider = "mistral";
        options.Models["claude-3-sonnet"].Quality = -1;

        var result = new RoutingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains("Routing:Models:claude-3-haiku:Provider must be \"anthropic\", \"openai\" or \"local\" (is \"mistral\").", failures);
        Assert.Contains("Routing:Models:claude-3-sonnet:Quality must be between 0 and 1 (is -1).", failures);
        Assert.Contains(failures, f => f.StartsWith("Routing:Models needs exactly one enabled model with Provider \"local\" (has 0)", StringComparison.Ordinal));
        Assert.Contains("Routing:QualityFloor must be between 0 and 1 (is 1.5).", failures);
        Assert.Contains("Routing:MonthlyBudgetUsd must be positive.", failures);
        Assert.Contains("Routing:DegradePercent (120) cannot be above LocalOnlyPercent (100).", failures);
        Assert.Contains("Routing:AlertWebhookUrl must be an absolute http or https URL.", failures);
    }

    [Fact]
    public void ConfigurationMergesIntoTheDefaultCatalogByName()
    {
        using var harness = new RoutingHarness(new Dictionary<string, string?>
        {
            ["Routing:Models:gpt-35-turbo:Enabled"] = "false",
            ["Routing:Models:claude-3-5-haiku:Provider"] = "anthropic",
            ["Routing:Models:claude-3-5-haiku:Model"] = "claude-3-5-haiku-latest",
            ["Routing:Models:claude-3-5-haiku:InputUsdPerMillionTokens"] = "0.8",
            ["Routing:Models:claude-3-5-haiku:OutputUsdPerMillionTokens"] = "4",
            ["Routing:Models:claude-3-5-haiku:Quality"] = "0.9",
            ["Routing:AlertPercents:0"] = "50",
        });

        var options = harness.Get<IOptionsMonitor<RoutingOptions>>().CurrentValue;

        Assert.Equal(["claude-3-5-haiku", "claude-3-haiku", "claude-3-sonnet", "gpt-35-turbo", "local"], options.Models.Keys.Order(StringComparer.Ordinal));
        Assert.False(options.Models["gpt-35-turbo"].Enabled);
        Assert.Equal([50.0], options.EffectiveAlertPercents);
        Assert.Null(harness.Decide(complexity: 0.9).Fallback);
    }

    [Fact]
    public void AnInvalidCatalogIsRefusedAtFirstUse()
    {
        using var harness = new RoutingHarness(new Dictionary<string, string?> { ["Routing:Models:local:Enabled"] = "false" });

        var error = Assert.Throws<OptionsValidationException>(() => harness.Decide());

        Assert.Contains("exactly one enabled model with Provider \"local\"", error.Message, StringComparison.Ordinal);
    }
}
