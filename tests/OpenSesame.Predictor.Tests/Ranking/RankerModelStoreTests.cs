using System.Text.Json;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Tests.Ranking;

public sealed class RankerModelStoreTests(TinyRanker tiny) : IDisposable
{
    private readonly TempFolder _data = new();

    private RankerModelStore Store => Stores.In(_data.Root);

    public void Dispose() => _data.Dispose();

    [Fact]
    public void ModelsLiveInTheModelsFolderOfTheDataDirectoryUnlessConfiguredElsewhere()
    {
        var elsewhere = _data.PathOf("elsewhere");

        Assert.Equal(_data.PathOf("models"), Store.Directory);
        Assert.Equal(elsewhere, RankerModelStore.Configured(
            new RankingOptions { ModelDirectory = elsewhere }, new StorageOptions { DataDirectory = _data.Root }).Directory);
    }

    [Fact]
    public void ASavedModelLoadsBackAsItWasSaved()
    {
        Store.Save(tiny.Model);

        var loaded = Store.Load(tiny.Model.Version);

        Assert.Equal(Json(tiny.Model), Json(loaded));
        Assert.All(tiny.TrainSessions.Take(5).SelectMany(Rows), row =>
            Assert.Equal(tiny.Model.Ensemble.Score(row), loaded.Ensemble.Score(row)));
        Assert.Equal(tiny.Model.Calibration, loaded.Calibration);
    }

    [Fact]
    public void MetadataDescribesTheModelWithoutItsTrees()
    {
        Store.Save(tiny.Model);

        var metadata = File.ReadAllText(Path.Combine(Store.Directory, tiny.Model.Version, "metadata.json"));

        var info = JsonSerializer.Deserialize<RankerModelInfo>(metadata, RankerModel.Json)!;
        Assert.Equal(tiny.Model.Info.DataSha256, info.DataSha256);
        Assert.Equal(FeatureSchema.Names, info.Features);
        Assert.DoesNotContain("leaf_value", metadata, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelSavedUnderAnotherPointerLeavesTheCurrentModelAlone()
    {
        var basic = tiny.Model with { Info = tiny.Model.Info with { Version = "ltr-basic" } };
        Store.Save(tiny.Model);

        Store.Save(basic, RankerModelStore.WithoutIntentPointer);

        Assert.Equal(tiny.Model.Version, Store.CurrentVersion());
        Assert.Equal("ltr-basic", Store.PointedVersion(RankerModelStore.WithoutIntentPointer));
        Assert.Equal("ltr-basic", Store.Load("ltr-basic").Version);
    }

    [Fact]
    public void CurrentNamesTheLastSavedVersion()
    {
        var older = tiny.Model with { Info = tiny.Model.Info with { Version = "ltr-older" } };

        Assert.Null(Store.CurrentVersion());
        Store.Save(older);
        Assert.Equal("ltr-older", Store.CurrentVersion());
        Store.Save(tiny.Model);

        Assert.Equal(tiny.Model.Version, Store.CurrentVersion());
        Assert.Equal("ltr-older", Store.Load("ltr-older").Version);
    }

    [Fact]
    public void SavingAVersionAgainReplacesIt()
    {
        var first = tiny.Model with { Calibration = new ScoreCalibration(1, 0) };
        Store.Save(first);

        Store.Save(tiny.Model);

        Assert.Equal(tiny.Model.Calibration, Store.Load(tiny.Model.Version).Calibration);
        Assert.Equal([tiny.Model.Version], Directory.EnumerateDirectories(Store.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public void AModelTrainedOnAnotherFeatureListIsRefusedWithAClearMessage()
    {
        var stale = tiny.Model with { Info = tiny.Model.Info with { Features = [.. FeatureSchema.Names.SkipLast(1)] } };
        Store.Save(stale);

        var error = Assert.Throws<InvalidDataException>(() => Store.Load(stale.Version));

        Assert.Contains(Path.Combine(Store.Directory, stale.Version, "model.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains("another feature list", error.Message, StringComparison.Ordinal);
        Assert.Contains("opensesame train", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingOrCorruptModelFileIsReportedAsUnreadable()
    {
        Store.Save(tiny.Model);
        File.WriteAllText(Path.Combine(Store.Directory, tiny.Model.Version, "model.json"), """{"info": {"version": """);

        var corrupt = Assert.Throws<InvalidDataException>(() => Store.Load(tiny.Model.Version));
        var missing = Assert.Throws<InvalidDataException>(() => Store.Load("ltr-never-saved"));

        Assert.Contains("cannot be read", corrupt.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHalfWrittenVersionIsNeverPickedUp()
    {
        Store.Save(tiny.Model);

        // A writer that died mid-save: its staging folder holds half a model and its pointer was never renamed.
        var staging = Directory.CreateDirectory(Path.Combine(Store.Directory, "ltr-newer.tmp-4242")).FullName;
        var json = Json(tiny.Model with { Info = tiny.Model.Info with { Version = "ltr-newer" } });
        File.WriteAllText(Path.Combine(staging, "model.json"), json[..(json.Length / 2)]);
        File.WriteAllText(Path.Combine(Store.Directory, "current.tmp-4242"), "ltr-newer");

        Assert.Equal(tiny.Model.Version, Store.CurrentVersion());
        Assert.Equal(tiny.Model.Version, Store.Load(Store.CurrentVersion()!).Version);
    }

    [Fact]
    public void AStagingFolderAloneIsNoModel()
    {
        Directory.CreateDirectory(Path.Combine(Store.Directory, "ltr-first.tmp-4242"));

        Assert.Null(Store.CurrentVersion());
    }

    [Fact]
    public void EveryChangeOfCurrentIsAppendedToTheHistoryWithWhatServedBeforeAndWhy()
    {
        var older = Named("ltr-older");
        Store.Save(older);
        Store.SaveVersion(tiny.Model);

        Assert.Equal("ltr-older", Store.CurrentVersion());
        var promotion = Store.Promote(tiny.Model.Version, "retrain rt-1: better");
        var again = Store.Promote(tiny.Model.Version, "retrain rt-2: the same");

        Assert.Null(again);
        Assert.Equal(tiny.Model.Version, Store.CurrentVersion());
        Assert.Equal(
            [(null, "ltr-older", RankerModelStore.TrainReason), ("ltr-older", tiny.Model.Version, "retrain rt-1: better")],
            Store.History().Select(p => (p.Previous, p.Version, p.Reason)));
        Assert.Equal(promotion, Store.History()[^1]);
    }

    [Fact]
    public void TheVersionBeforeTheCurrentOneIsWhatItReplacedAndRollingBackTwiceGoesTwoStepsBack()
    {
        foreach (var version in new[] { "ltr-a", "ltr-b", "ltr-c" })
        {
            Store.Save(Named(version));
        }

        Assert.Equal(("ltr-b", true), Store.PreviousOf("ltr-c"));
        Store.Promote(Store.PreviousOf("ltr-c").Version, RankerModelStore.RollbackReason);
        Assert.Equal(("ltr-a", true), Store.PreviousOf(Store.CurrentVersion()!));
        Store.Promote(Store.PreviousOf("ltr-b").Version, RankerModelStore.RollbackReason);

        Assert.Equal("ltr-a", Store.CurrentVersion());
        Assert.Equal(((string?)null, true), Store.PreviousOf("ltr-a"));
        Assert.Equal(((string?)null, false), Store.PreviousOf("ltr-never-current"));
    }

    [Fact]
    public void PromotingNothingRemovesCurrentSoTheShippedModelServesAgain()
    {
        Store.Save(tiny.Model);

        Store.Promote(null, RankerModelStore.RollbackReason);

        Assert.Null(Store.CurrentVersion());
        Assert.Equal((null, tiny.Model.Version), (Store.History()[^1].Version, Store.History()[^1].Previous));
        Assert.Equal([tiny.Model.Version], Store.Versions());
    }

    [Fact]
    public void AVersionThatCannotServeTodaysFeaturesIsNeverPromoted()
    {
        Store.Save(tiny.Model);
        Store.SaveVersion(Named("ltr-stale") with { Info = tiny.Model.Info with { Version = "ltr-stale", Features = [.. FeatureSchema.Names.SkipLast(1)] } });

        Assert.Throws<InvalidDataException>(() => Store.Promote("ltr-stale", "retrain"));
        Assert.Throws<InvalidDataException>(() => Store.Promote("ltr-never-saved", "retrain"));

        Assert.Equal(tiny.Model.Version, Store.CurrentVersion());
        Assert.Single(Store.History());
    }

    [Fact]
    public void AHistoryLineTornByACrashIsSkippedAndTheRestIsRead()
    {
        Store.Save(Named("ltr-a"));
        File.AppendAllText(Path.Combine(Store.Directory, RankerModelStore.HistoryFile), """{"at":"2026-01-01T00:00:00+00:00","vers""");
        Store.Save(Named("ltr-b"));

        Assert.Equal(["ltr-a", "ltr-b"], Store.History().Select(p => p.Version));
    }

    [Fact]
    public void EvaluationsAreKeptInTheOrderTheyWereRecordedAndVersionsListWithoutStagingFolders()
    {
        Store.Save(tiny.Model);
        Directory.CreateDirectory(Path.Combine(Store.Directory, "ltr-half.tmp-4242"));
        var evaluation = new ModelEvaluation(TinyRanker.TrainedAt, tiny.Model.Version, "serving", "rt-1", 120,
            TinyRanker.TrainedAt, TinyRanker.TrainedAt.AddHours(1), tiny.Model.Info.Calibration, tiny.Model.Info.Calibration, Promoted: false);

        Store.RecordEvaluation(evaluation);
        Store.RecordEvaluation(evaluation with { Request = "rt-2" });

        Assert.Equal(["rt-1", "rt-2"], Store.Evaluations().Select(e => e.Request));
        Assert.Equal(evaluation, Store.Evaluations()[0]);
        Assert.Equal([tiny.Model.Version], Store.Versions());
        Assert.Equal(tiny.Model.Info.DataSha256, Store.ReadInfo(tiny.Model.Version)?.DataSha256);
        Assert.Null(Store.ReadInfo("ltr-never-saved"));
    }

    private RankerModel Named(string version) => tiny.Model with { Info = tiny.Model.Info with { Version = version } };

    private static string Json(RankerModel model) => JsonSerializer.Serialize(model, RankerModel.Json);

    private static IEnumerable<float[]> Rows(OpenSesame.Training.Synthetic.SyntheticSession session) =>
        new OpenSesame.Training.TrainingSetBuilder(TinyRanker.Options()).Build(session, 0).SelectMany(g => g.Features);
}

/// <summary>A model store over a data folder, configured as the service configures it.</summary>
internal static class Stores
{
    public static RankerModelStore In(string dataDirectory) =>
        RankerModelStore.Configured(new RankingOptions(), new StorageOptions { DataDirectory = dataDirectory });
}
