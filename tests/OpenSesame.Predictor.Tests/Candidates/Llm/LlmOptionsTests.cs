using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates.Llm;

namespace OpenSesame.Predictor.Tests.Candidates.Llm;

/// <summary>How the "Llm" section and the environment-style keys become <see cref="LlmOptions"/>.</summary>
public sealed class LlmOptionsTests
{
    [Fact]
    public void TheBaseUrlsComeFromTheEnvironmentStyleKeysUnlessTheLlmSectionSetsThem()
    {
        using var predictor = new Predictor(new Dictionary<string, string?>
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
}
