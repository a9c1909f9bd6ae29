using System.Text.Json.Nodes;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Cli.Tests;

/// <summary><c>opensesame models</c> and <c>models rollback</c> over a model store in a temporary data directory,
/// holding the shipped model under several version names.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private static readonly Lazy<RankerModel> Shipped = new(() =>
    {
        var store = new RankerModelStore(new RankingOptions().DefaultModelDirectory);
        return store.Load(store.CurrentVersion()!);
    });

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opensesame-cli-tests-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private RankerModelStore Store => RankerModelStore.Configured(new RankingOptions(), new StorageOptions { DataDirectory = _dataDirectory });

    /// <summary>Trains nothing: saves the shipped model as each version in turn, each made current.</summary>
    private void SaveInTurn(params string[] versions)
    {
        for (var i = 0; i < versions.Length; i++)
        {
            Store.Save(Named(versions[i], i + 1));
        }
    }

    private static RankerModel Named(string version, int minutes) => Shipped.Value with
    {
        Info = Shipped.Value.Info with { Version = version, CreatedAt = new DateTimeOffset(2026, 6, 1, 9, minutes, 0, TimeSpan.Zero) },
    };

    private Task<StartedHost> StartHostAsync(CancellationToken cancellationToken) => CliHost.StartAsync(new Dictionary<string, string?>
    {
        ["Storage:DataDirectory"] = _dataDirectory,
    }, cancellationToken: cancellationToken);

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) =>
        CommandRun.RunAsync(ModelsCommand.Create(StartHostAsync), ["models", .. args]);

    [Fact]
    public async Task TheListingNamesEveryVersionWhichIsCurrentWhichServedBeforeAndWhatRetrainingMeasured()
    {
        SaveInTurn("ltr-a", "ltr-b");
        Store.SaveVersion(Named("ltr-refused", 3));
        var measured = Shipped.Value.Info.Calibration with { Groups = 120, Top3 = 0.5 };
        Store.RecordEvaluation(new ModelEvaluation(DateTimeOffset.UnixEpoch, "ltr-refused", "candidate", "rt-1", 120, null, null,
            measured, Shipped.Value.Info.Calibration, Promoted: false));

        var (code, output, _) = await RunAsync("--json");
        var table = await RunAsync();

        Assert.Equal((0, 0), (code, table.Code));
        var listing = JsonNode.Parse(output)!;
        Assert.Equal(("ltr-b", "ltr-a"), ((string?)listing["current"], (string?)listing["previous"]));
        var models = listing["models"]!.AsArray();
        Assert.Equal(["ltr-a", "ltr-b", "ltr-refused"], models.Select(m => (string?)m!["version"]));
        Assert.Equal([false, true, false], models.Select(m => (bool)m!["current"]!));
        Assert.Equal([true, false, false], models.Select(m => (bool)m!["previous"]!));
        Assert.Equal(0.5, (double)models[2]!["evaluation"]!["prequential"]!["top3"]!);
        Assert.Equal(Shipped.Value.Info.Calibration.Top3, (double)models[0]!["calibration"]!["top3"]!);
        Assert.Equal(2, listing["history"]!.AsArray().Count);
        Assert.Contains(table.Output.Split('\n'), line => line.Contains("current", StringComparison.Ordinal) && line.Contains("ltr-b", StringComparison.Ordinal));
        Assert.Contains(table.Output.Split('\n'), line => line.Contains("ltr-refused", StringComparison.Ordinal) && line.Contains("0.500", StringComparison.Ordinal));
        Assert.Contains("'opensesame models rollback' goes back to ltr-a", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RollbackRestoresTheVersionTheCurrentOneReplacedAndAgainTheOneBeforeThat()
    {
        SaveInTurn("ltr-a", "ltr-b", "ltr-c");

        var first = await RunAsync("rollback");
        var second = await RunAsync("rollback");

        Assert.Equal((0, 0), (first.Code, second.Code));
        Assert.Contains("current: ltr-c -> ltr-b", first.Output, StringComparison.Ordinal);
        Assert.Contains("current: ltr-b -> ltr-a", second.Output, StringComparison.Ordinal);
        Assert.Equal("ltr-a", Store.CurrentVersion());
        Assert.Equal([RankerModelStore.RollbackReason, RankerModelStore.RollbackReason], Store.History().TakeLast(2).Select(p => p.Reason));
    }

    [Fact]
    public async Task RollingBackTheFirstTrainedVersionLetsTheShippedModelServeAgain()
    {
        Store.Save(Named("ltr-a", 1));

        var (code, output, _) = await RunAsync("rollback");
        var nothingLeft = await RunAsync("rollback");

        Assert.Equal(0, code);
        Assert.Contains("the model shipped with the service serves again", output, StringComparison.Ordinal);
        Assert.Null(Store.CurrentVersion());
        Assert.Equal(2, nothingLeft.Code);
        Assert.Contains("Nothing is current", nothingLeft.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RollbackToANamedVersionMakesItCurrentAndAVersionNotSavedIsRefused()
    {
        SaveInTurn("ltr-a", "ltr-b", "ltr-c");

        var named = await RunAsync("rollback", "--to", "ltr-a");
        var missing = await RunAsync("rollback", "--to", "ltr-never-saved");

        Assert.Equal(0, named.Code);
        Assert.Equal("ltr-a", Store.CurrentVersion());
        Assert.Equal(2, missing.Code);
        Assert.Contains("cannot be read", missing.Error, StringComparison.Ordinal);
        Assert.Equal("ltr-a", Store.CurrentVersion());
    }

    [Fact]
    public async Task AStoreWithoutHistoryOrVersionsSaysSo()
    {
        var empty = await RunAsync();
        Directory.CreateDirectory(Store.Directory);
        Store.SaveVersion(Named("ltr-a", 1));
        File.WriteAllText(Path.Combine(Store.Directory, RankerModelStore.CurrentPointer), "ltr-a");
        var unknown = await RunAsync("rollback");

        Assert.Equal(0, empty.Code);
        Assert.Contains("No model versions in", empty.Output, StringComparison.Ordinal);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("does not say what served before ltr-a", unknown.Error, StringComparison.Ordinal);
    }
}
