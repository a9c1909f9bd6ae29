using Microsoft.Extensions.AI;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Routing;

public sealed class TokenEstimatorTests
{
    [Fact]
    public void CountsTextWithTheCl100kTokenizer()
    {
        Assert.Equal(2, TokenEstimator.CountTokens("hello world"));
        Assert.Equal(0, TokenEstimator.CountTokens(""));
        // Each message adds its framing (3) and the reply its priming (3): 3 + (3 + 2) + (3 + 2).
        Assert.Equal(13, TokenEstimator.CountTokens([new ChatMessage(ChatRole.System, "hello world"), new ChatMessage(ChatRole.User, "hello world")]));
    }

    [Fact]
    public void LearnsEachModelsTokenRatioWithinBounds()
    {
        var estimator = new TokenEstimator();

        estimator.Observe("claude-3-haiku", 100, 120);
        var afterOne = estimator.EstimateInputTokens("claude-3-haiku", 300);
        // An answer claiming ten times the tokens counts as twice (the bound): the mean of 1.2 and 2.0 is 1.6.
        estimator.Observe("claude-3-haiku", 100, 1000);

        Assert.Equal(360, afterOne);
        Assert.Equal(480, estimator.EstimateInputTokens("claude-3-haiku", 300));
        Assert.Equal(300, estimator.EstimateInputTokens("gpt-35-turbo", 300));
    }

    [Fact]
    public void TheCostEstimateIsInputAtTheInputPricePlusTheExpectedOutputAtTheOutputPrice()
    {
        var estimator = new TokenEstimator();
        var haiku = new RoutingOptions().Models["claude-3-haiku"];

        // 200 × $0.25/M + 150 × $1.25/M
        Assert.Equal(0.0002375m, estimator.EstimateCost("claude-3-haiku", haiku, 200, 150));
        Assert.Equal(0m, estimator.EstimateCost("local", new RoutingOptions().Models["local"], 200, 150));
    }
}
