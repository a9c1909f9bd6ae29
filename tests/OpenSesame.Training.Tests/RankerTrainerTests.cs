using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Training;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class RankerTrainerTests(TinyRanker tiny)
{
    private RankerModelInfo Info => tiny.Model.Info;

    [Fact]
    public void TheModelNamesItsFeaturesDataSeedAndOptions()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tiny.TrainFile)));

        Assert.Equal(FeatureSchema.Names, Info.Features);
        Assert.Equal(TrainingData.TrainFileName, Info.DataFile);
        Assert.Equal(sha, Info.DataSha256);
        Assert.Equal($"ltr-20250304-050607-{sha[..8]}", Info.Version);
        Assert.Equal(TinyRanker.TrainedAt, Info.CreatedAt);
        Assert.Equal(TinyRanker.Seed, Info.Seed);
        Assert.Equal(tiny.TrainSessions.Count, Info.Sessions);
        Assert.Equal(tiny.TrainSessions.Sum(s => s.Calls.Count), Info.Groups);
        Assert.InRange(Info.AbsentShare, 0.28, 0.32);
        Assert.Equal(TinyRanker.Options().Iterations, Info.Options["iterations"]);
        Assert.Equal(5, Info.Options["min_examples_per_leaf"]);
        Assert.Equal(TinyRanker.Options().Iterations, tiny.Model.Ensemble.Trees.Length);
    }

    [Fact]
    public void CalibrationDomainsAreLeftOutOfTheTrainDomains()
    {
        var dataDomains = tiny.TrainSessions.Select(s => s.Domain).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(TinyRanker.Options().CalibrationDomainCount, Info.CalibrationDomains.Count);
        Assert.NotEmpty(Info.TrainDomains);
        Assert.Empty(Info.TrainDomains.Intersect(Info.CalibrationDomains));
        Assert.Equal(dataDomains, Info.TrainDomains.Concat(Info.CalibrationDomains).Order(StringComparer.Ordinal));
        Assert.Empty(Info.CalibrationDomains.Intersect(tiny.Manifest.HeldOutDomains));
    }

    [Fact]
    public void MetricsOnTheCalibrationDomainsAreInRange()
    {
        var m = Info.Calibration;
        var calibrationCalls = tiny.TrainSessions.Where(s => Info.CalibrationDomains.Contains(s.Domain)).Sum(s => s.Calls.Count);

        Assert.InRange(m.Groups, 1, calibrationCalls - 1);
        Assert.InRange(m.Coverage, 0, 1);
        Assert.InRange(m.Top1, 0, m.Top3);
        Assert.InRange(m.Top3, m.Top1, m.Coverage);
        Assert.InRange(m.Mrr, m.Top1, m.Coverage);
        Assert.InRange(m.ExpectedCalibrationError, 0, 1);
        Assert.True(double.IsFinite(m.NegativeLogLikelihood) && m.NegativeLogLikelihood > 0, $"NLL {m.NegativeLogLikelihood}");
        Assert.True(tiny.Model.Calibration.Temperature > 0 && double.IsFinite(tiny.Model.Calibration.NoneLogit));
    }

    [Fact]
    public void GroupsThatSawLearnedUsageAreMeasuredApartFromTheColdOnes()
    {
        var usage = Info.CalibrationWithUsage;

        Assert.NotNull(usage);
        Assert.True(usage.Groups > 0 && Info.Calibration.Groups > 0, $"{usage.Groups} with usage, {Info.Calibration.Groups} without");
        Assert.Equal(new TrainingOptions().UsageShare, Info.Options["usage_share"]);
    }

    // Each kind of random choice has its own stream: the sessions that measure the calibration must hold templated
    // histories and learned usage as often as the others do (they once held no templated history at all).
    [Fact]
    public void IndependentChoicesOfARunDoNotFollowEachOther()
    {
        const int Sessions = 20_000;
        var options = new TrainingOptions();
        var measures = Enumerable.Range(0, Sessions).Select(i => TrainingOptions.Uniform(42, i, RandomChoice.CalibrationHalf) >= 0.5).ToArray();
        var templated = Enumerable.Range(0, Sessions)
            .Select(i => new Random(TrainingOptions.DeriveSeed(42, i)).NextDouble() < options.TemplatedHistoryShare).ToArray();
        var usage = Enumerable.Range(0, Sessions).Select(i => TrainingOptions.Uniform(42, i, RandomChoice.SeesUsage) < options.UsageShare).ToArray();

        double Share(Func<int, bool> which) => Enumerable.Range(0, Sessions).Count(which) / (double)Sessions;
        Assert.InRange(Share(i => measures[i]), 0.48, 0.52);
        Assert.InRange(Share(i => measures[i] && templated[i]) / Share(i => measures[i]), options.TemplatedHistoryShare - 0.02, options.TemplatedHistoryShare + 0.02);
        Assert.InRange(Share(i => measures[i] && usage[i]) / Share(i => measures[i]), options.UsageShare - 0.02, options.UsageShare + 0.02);
    }

    [Fact]
    public void TrainingTwiceWithTheSameSeedAndDataGivesTheSameModel()
    {
        var again = tiny.Train();

        Assert.Equal(Serialize(tiny.Model), Serialize(again));
    }

    [Fact]
    public void TheCalibrationMeasureIsReportedByPromptKind()
    {
        var lines = new List<string>();
        new RankerTrainer(TinyRanker.Options(), new FakeTimeProvider(TinyRanker.TrainedAt))
            .Train(tiny.TrainFile, new SynchronousProgress(lines.Add));

        var line = Assert.Single(lines, l => l.StartsWith("calibration domains by prompt kind, top3 (groups): ", StringComparison.Ordinal));
        // Every kind the generator writes appears with its share and group count ("task 0.412 (34)").
        Assert.All(Enum.GetValues<SyntheticPromptKind>(), kind => Assert.Matches($@"\b{kind.ToString().ToLowerInvariant()} [01]\.\d{{3}} \(\d+\)", line));
    }

    [Fact]
    public void AnEmptyDataFileIsRefusedWithAHint()
    {
        using var folder = new TempFolder();
        var empty = folder.Write("train.jsonl", "");

        var error = Assert.Throws<InvalidOperationException>(() =>
            new RankerTrainer(TinyRanker.Options(), new FakeTimeProvider()).Train(empty));
        Assert.Contains("opensesame generate", error.Message, StringComparison.Ordinal);
    }

    private static string Serialize(RankerModel model) => JsonSerializer.Serialize(model, RankerModel.Json);

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
