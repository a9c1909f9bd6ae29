using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Candidates.Llm;

/// <summary>How the "Llm" section and the environment-style keys become <see cref="LlmOptions"/>.</summary>
public sealed class LlmOptionsTests
{
    [Fact]
    public void TheBaseUrlsComeFromTheEnvironmentStyleKeysUnlessTheLlmSectionSetsThem()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?>
        {
            ["ANTHROPIC_API_KEY"] = "sk-ant-test",
            ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9/anthropic",
            ["OPENAI_API_KEY"] = "sk-test",
            ["OPENAI_BASE_URL"] = "http://127.0.0.1:9/openai",
            ["Llm:OpenAI:BaseUrl"] = "http://127.0.0.1:9/from-section",
        });

        var options = predictor.Get<IOptions<LlmOptions>>().Value;

        Assert.Equal("http://127.0.0.1:9/anthropic", options.Anthropic.BaseUrl);
        Assert.Equal("http://127.0.0.1:9/from-section", options.OpenAI.BaseUrl);
    }

    [Theory]
    [InlineData("FailureRatio", "0")]
    [InlineData("MinimumThroughput", "1")]
    [InlineData("BreakDuration", "00:00:00.1")]
    [InlineData("MaxRetries", "-1")]
    public void ResilienceSettingsPollyCannotRunAreRefused(string name, string value)
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "sk-test",
            ["Llm:Resilience:" + name] = value,
        });

        var error = Assert.Throws<OptionsValidationException>(() => predictor.Get<IOptions<LlmOptions>>().Value);
        Assert.Contains("Llm:Resilience", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Llm:Anthropic:Model", "claude-3-opus-20240229")]
    [InlineData("Llm:OpenAI:InputUsdPerMillionTokens", "0.5")]
    public void AModelOrPriceLeftInTheLlmSectionIsRefusedAndPointsToTheRoutingCatalog(string key, string value)
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "sk-test",
            [key] = value,
        });

        var error = Assert.Throws<OptionsValidationException>(() => predictor.Get<IOptions<LlmOptions>>().Value);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains("Routing:Models", error.Message, StringComparison.Ordinal);
    }
}
