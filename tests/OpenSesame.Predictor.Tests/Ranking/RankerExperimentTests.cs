using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Predictor.Tests.Ranking;

/// <summary>Two model versions served side by side to sticky shares of users, through the whole service.</summary>
public sealed class RankerExperimentTests(TinyRanker tiny) : IDisposable
{
    private const string Challenger = "ltr-challenger";
    private readonly TempFolder _models = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _models.Dispose();

    private async Task<TestPredictor> StartAsync(string? challenger, int? percentage)
    {
        var store = new RankerModelStore(_models.Root);
        store.Save(tiny.Model);
        store.Save(tiny.Model with { Info = tiny.Model.Info with { Version = Challenger } }, "challenger");
        var settings = new Dictionary<string, string?>
        {
            ["Ranking:ModelDirectory"] = _models.Root,
            ["Ranking:Challenger"] = challenger,
        };
        if (percentage is { } share)
        {
            settings["FeatureManagement:RankerChallenger:EnabledFor:0:Name"] = "Microsoft.Targeting";
            settings["FeatureManagement:RankerChallenger:EnabledFor:0:Parameters:Audience:DefaultRolloutPercentage"] = $"{share}";
        }

        var predictor = new TestPredictor(settings);
        await predictor.Get<RankerHost>().StartAsync(Cancel);
        return predictor;
    }

    private static async Task<string> VersionForAsync(TestPredictor predictor, string user)
    {
        var request = TestPredictor.Request(TestSpecs.BillingPath, null, 3, []);
        request.UserId = user;
        var outcome = await predictor.Service.PredictAsync(request, Cancel);
        return Assert.IsType<PredictionOutcome.Answered>(outcome).Response.ModelVersion;
    }

    [Fact]
    public async Task TheChallengerServesTheTargetedShareOfUsersAndEachUserAlwaysTheSameVersion()
    {
        using var predictor = await StartAsync(Challenger, percentage: 30);
        var users = Enumerable.Range(0, 200).Select(i => $"user-{i}").ToList();

        var first = new Dictionary<string, string>();
        foreach (var user in users)
        {
            first[user] = await VersionForAsync(predictor, user);
        }

        var again = new Dictionary<string, string>();
        foreach (var user in users)
        {
            again[user] = await VersionForAsync(predictor, user);
        }

        Assert.Equal(first, again);
        Assert.All(first.Values, v => Assert.Contains(v, new[] { tiny.Model.Version, Challenger }));
        Assert.InRange(first.Values.Count(v => v == Challenger), 40, 80);
    }

    [Theory]
    [InlineData(Challenger, null)]
    [InlineData("", 100)]
    [InlineData("ltr-missing", 100)]
    public async Task WithoutTheFeatureOrAChallengerThatLoadsEveryoneGetsTheCurrentVersion(string challenger, int? percentage)
    {
        using var predictor = await StartAsync(challenger, percentage);

        foreach (var user in new[] { "a", "b", "c", "d" })
        {
            Assert.Equal(tiny.Model.Version, await VersionForAsync(predictor, user));
        }
    }
}
