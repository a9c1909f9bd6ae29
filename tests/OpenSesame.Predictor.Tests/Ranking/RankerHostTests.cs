using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Predictor.Tests.Ranking;

public sealed class RankerHostTests(TinyRanker tiny) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly TempFolder _data = new();
    private readonly FakeTimeProvider _time = new(TinyRanker.TrainedAt.AddHours(1));
    private readonly ListLogger<RankerHost> _log = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private RankerModelStore Store => Stores.In(_data.Root);

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task WithNoModelAnywhereTheHeuristicServesAndNothingIsTrained()
    {
        using var host = Host();

        await host.StartAsync(Cancel);

        Assert.Equal(HeuristicRanker.ModelVersion, host.Current.Version);
        Assert.Contains(_log.At(LogLevel.Warning), m => m.Contains("opensesame train", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_data.Root, "training")));
        Assert.False(Directory.Exists(Store.Directory));
        await host.StopAsync(Cancel);
    }

    [Fact]
    public async Task TheShippedModelServesWhileTheModelDirectoryHasNone()
    {
        Shipped.Save(tiny.Model);
        using var host = Host(shipped: Shipped.Directory);

        await host.StartAsync(Cancel);

        Assert.Equal(tiny.Model.Version, host.Current.Version);
        Assert.Equal(tiny.Model.Version, host.CurrentModel?.Version);
        await host.StopAsync(Cancel);
    }

    [Fact]
    public async Task AModelTrainedIntoTheModelDirectoryReplacesTheShippedOneWithoutARestart()
    {
        Shipped.Save(tiny.Model with { Info = tiny.Model.Info with { Version = "ltr-shipped" } });
        Store.Save(tiny.Model);
        using var host = Host(shipped: Shipped.Directory);
        await host.StartAsync(Cancel);
        Assert.Equal(tiny.Model.Version, host.Current.Version);

        Store.Save(tiny.Model with { Info = tiny.Model.Info with { Version = "ltr-trained-later" } });
        _time.Advance(Interval);

        Assert.Equal("ltr-trained-later", host.Current.Version);
        await host.StopAsync(Cancel);
    }

    [Fact]
    public void TheRepositorysDefaultModelShipsNextToTheBinaryAndLoads()
    {
        var shipped = new RankerModelStore(new RankingOptions().DefaultModelDirectory);

        var version = shipped.CurrentVersion();

        Assert.NotNull(version);
        Assert.True(shipped.Load(version).MatchesSchema);
    }

    [Fact]
    public async Task TheCurrentModelOnDiskServesFromTheStart()
    {
        Store.Save(tiny.Model);
        using var host = Host();

        await host.StartAsync(Cancel);

        var learned = Assert.IsType<LearnedRanker>(host.Current);
        Assert.Equal(tiny.Model.Version, learned.Version);
        Assert.Contains(_log.At(LogLevel.Information), m => m.Contains(tiny.Model.Version, StringComparison.Ordinal));
        await host.StopAsync(Cancel);
    }

    [Fact]
    public async Task ANewlySavedModelServesOnceTheReloadIntervalPassesWithoutARestart()
    {
        using var host = Host();
        await host.StartAsync(Cancel);

        Store.Save(tiny.Model);
        _time.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(HeuristicRanker.ModelVersion, host.Current.Version);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(tiny.Model.Version, host.Current.Version);

        var newer = tiny.Model with { Info = tiny.Model.Info with { Version = "ltr-newer" } };
        Store.Save(newer);
        _time.Advance(Interval);
        Assert.Equal("ltr-newer", host.Current.Version);
        await host.StopAsync(Cancel);
    }

    [Fact]
    public async Task ACorruptNewerModelLeavesTheCurrentRankerServingAndLogsAnError()
    {
        Store.Save(tiny.Model);
        using var host = Host();
        await host.StartAsync(Cancel);
        var serving = host.Current;

        var broken = tiny.Model with { Info = tiny.Model.Info with { Version = "ltr-broken" } };
        Store.Save(broken);
        File.WriteAllText(Path.Combine(Store.Directory, "ltr-broken", "model.json"), "{ \"info\": ");
        _time.Advance(Interval);

        Assert.Same(serving, host.Current);
        var error = Assert.Single(_log.At(LogLevel.Error));
        Assert.Contains("ltr-broken", error, StringComparison.Ordinal);
        Assert.Contains(tiny.Model.Version, error, StringComparison.Ordinal);

        // Once a good version replaces it, that one serves.
        var fixedModel = tiny.Model with { Info = tiny.Model.Info with { Version = "ltr-fixed" } };
        Store.Save(fixedModel);
        _time.Advance(Interval);
        Assert.Equal("ltr-fixed", host.Current.Version);
        await host.StopAsync(Cancel);
    }

    [Fact]
    public async Task AModelForAnotherFeatureListIsRefusedAndTheHeuristicKeepsServing()
    {
        Store.Save(tiny.Model with { Info = tiny.Model.Info with { Features = ["lexical"] } });
        using var host = Host();

        await host.StartAsync(Cancel);

        Assert.Equal(HeuristicRanker.ModelVersion, host.Current.Version);
        Assert.Contains(_log.At(LogLevel.Error), m => m.Contains("another feature list", StringComparison.Ordinal));
        await host.StopAsync(Cancel);
    }

    [Fact]
    public async Task AfterStoppingTheHostNoLongerReloads()
    {
        using var host = Host();
        await host.StartAsync(Cancel);
        await host.StopAsync(Cancel);

        Store.Save(tiny.Model);
        _time.Advance(Interval * 3);

        Assert.Equal(HeuristicRanker.ModelVersion, host.Current.Version);
    }

    private RankerModelStore Shipped => new(_data.PathOf("shipped"));

    private RankerHost Host(string shipped = "") => new(
        Store,
        Options.Create(new RankingOptions { DefaultModelDirectory = shipped, ReloadInterval = Interval }),
        _time,
        _log);
}
