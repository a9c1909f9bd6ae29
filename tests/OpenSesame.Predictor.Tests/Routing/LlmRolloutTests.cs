using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Routing;

/// <summary>Per-user rollout of the LLM path and the router through Microsoft.FeatureManagement targeting.</summary>
public sealed class LlmRolloutTests
{
    [Fact]
    public async Task AFeatureTheConfigurationDoesNotMentionIsOnForEveryone()
    {
        var rollout = Rollout([]);

        Assert.True(await rollout.IsEnabledAsync(LlmRollout.LlmCandidates, "u-1"));
        Assert.True(await rollout.IsEnabledAsync(LlmRollout.CostRouting, null));
    }

    [Fact]
    public async Task APercentageRolloutTakesAboutThatShareOfUsersAndEachUserStaysOnItsSide()
    {
        var rollout = Rollout(Percentage(LlmRollout.LlmCandidates, 30));
        var users = Enumerable.Range(0, 2000).Select(i => $"user-{i}").ToList();

        var first = new List<bool>();
        foreach (var user in users)
        {
            first.Add(await rollout.IsEnabledAsync(LlmRollout.LlmCandidates, user));
        }

        Assert.InRange(first.Count(on => on) / (double)users.Count, 0.26, 0.34);
        for (var i = 0; i < users.Count; i += 7)
        {
            Assert.Equal(first[i], await rollout.IsEnabledAsync(LlmRollout.LlmCandidates, users[i]));
        }

        // The other feature is not configured: on for all, whatever the first says.
        Assert.True(await rollout.IsEnabledAsync(LlmRollout.CostRouting, users[0]));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(100, true)]
    public async Task NoneOrAllOfTheUsers(int percent, bool expected)
    {
        var rollout = Rollout(Percentage(LlmRollout.CostRouting, percent));

        Assert.Equal(expected, await rollout.IsEnabledAsync(LlmRollout.CostRouting, "someone"));
        Assert.Equal(expected, await rollout.IsEnabledAsync(LlmRollout.CostRouting, null));
    }

    private static Dictionary<string, string?> Percentage(string feature, int percent) => new()
    {
        [$"FeatureManagement:{feature}:EnabledFor:0:Name"] = "Microsoft.Targeting",
        [$"FeatureManagement:{feature}:EnabledFor:0:Parameters:Audience:DefaultRolloutPercentage"] = percent.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static LlmRollout Rollout(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddFeatureManagement();
        var provider = services.BuildServiceProvider();
        return new LlmRollout(provider.GetRequiredService<IFeatureManager>(), configuration);
    }
}
