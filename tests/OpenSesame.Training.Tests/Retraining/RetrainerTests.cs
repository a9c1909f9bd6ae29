using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Training.Retraining;

namespace OpenSesame.Training.Tests.Retraining;

/// <summary>
/// Retraining from logged outcomes and its promotion gate, over a real outcome log in SQLite and real tiny LightGBM
/// models. The deliberately bad candidate is a model that ranks backwards (every tree's vote negated).
/// </summary>
public sealed class RetrainerTests(TinyRanker tiny)
{
    private const double Margin = 0.01;
    private static readonly Lock MeasuredLock = new();
    private static TrainingRun? _measured;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>One real training run for the class: the tiny ranker's data, seed and clock, which also measures the
    /// backwards model on the very same synthetic groups (as its baseline).</summary>
    private TrainingRun Measured()
    {
        lock (MeasuredLock)
        {
            return _measured ??= new RankerTrainer(TinyRanker.Options(), new FakeTimeProvider(TinyRanker.TrainedAt))
                .Train(tiny.TrainFile, null, OutcomeLog.Inverted(tiny.Model));
        }
    }

    private static LearningOptions Learning() => new() { HoldoutShare = 0.2, MinHoldoutGroups = 20, PromotionMargin = Margin };

    private static Retrainer RetrainerOf(OutcomeLog log, LearningOptions? learning = null) =>
        new(TinyRanker.Options(), learning ?? Learning(), log.Store, log.Models, shipped: null, new FakeTimeProvider(TinyRanker.TrainedAt));

    /// <summary>A log of the held-out domains' groups (the first <paramref name="groups"/>), the measured model serving,
    /// and the retraining's data read from both.</summary>
    private async Task<(TrainingRun Measured, Retrainer Retrainer, RetrainData Data)> ServingTheMeasuredModelAsync(
        OutcomeLog log, int groups = int.MaxValue)
    {
        await log.LogAsync(OutcomeLog.HeldOutGroups(tiny).Take(groups));
        var measured = Measured();
        log.Models.Save(measured.Model);
        var retrainer = RetrainerOf(log);
        return (measured, retrainer, await retrainer.PrepareAsync(null, Cancel));
    }

    [Fact]
    public async Task TheGateRefusesACandidateThatRanksWorseThanTheServingModelAndTheServingModelStaysCurrent()
    {
        using var log = new OutcomeLog();
        var (measured, retrainer, data) = await ServingTheMeasuredModelAsync(log);
        var serving = measured.Model;
        var backwards = OutcomeLog.Inverted(serving);

        var report = retrainer.Judge("rt-worse", data, new TrainingRun(backwards, measured.Baseline!, measured.Measures));
        retrainer.Publish(report);

        Assert.False(report.Decision.Promote);
        Assert.Equal(serving.Version, report.Serving);
        Assert.InRange(report.Judged.Count, Learning().MinHoldoutGroups, int.MaxValue);
        Assert.True(report.CandidatePrequential!.Top3 < report.ServingPrequential!.Top3 - Margin,
            $"backwards {report.CandidatePrequential.Top3}, serving {report.ServingPrequential.Top3}");
        Assert.Contains(report.Decision.Reasons, r => r.StartsWith("held-out outcomes: top-3", StringComparison.Ordinal)
                                                      && r.Contains("worse than the margin", StringComparison.Ordinal));
        Assert.Contains(report.Decision.Reasons, r => r.StartsWith("synthetic calibration domains: top-3", StringComparison.Ordinal)
                                                      && r.Contains("worse than the margin", StringComparison.Ordinal));
        Assert.Equal(serving.Version, log.Models.CurrentVersion());
        Assert.Contains(backwards.Version, log.Models.Versions());
        var evaluation = Assert.Single(log.Models.Evaluations(), e => e.Version == backwards.Version);
        Assert.Equal(("candidate", "rt-worse", false, report.Judged.Count), (evaluation.Role, evaluation.Request, evaluation.Promoted, evaluation.HoldoutGroups));
        Assert.Equal(report.ServingPrequential, Assert.Single(log.Models.Evaluations(), e => e.Version == serving.Version).Prequential);
    }

    [Fact]
    public async Task TheGatePromotesACandidateThatIsNotWorseAndTheHistoryNamesWhatServedBefore()
    {
        using var log = new OutcomeLog();
        var (measured, retrainer, data) = await ServingTheMeasuredModelAsync(log);
        var serving = measured.Model;
        var same = serving with { Info = serving.Info with { Version = serving.Version + "-again" } };

        var report = retrainer.Judge("rt-same", data, new TrainingRun(same, measured.Measures, measured.Measures));
        retrainer.Publish(report);

        Assert.True(report.Decision.Promote, string.Join("; ", report.Decision.Reasons));
        Assert.Equal(report.ServingPrequential, report.CandidatePrequential);
        Assert.Equal(same.Version, log.Models.CurrentVersion());
        var promotion = log.Models.History()[^1];
        Assert.Equal((same.Version, serving.Version), (promotion.Version, promotion.Previous));
        Assert.StartsWith("retrain rt-same: ", promotion.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithTooFewHeldOutOutcomesTheGateJudgesOnTheSyntheticSuiteAloneAndSaysSo()
    {
        using var log = new OutcomeLog();
        var (measured, retrainer, data) = await ServingTheMeasuredModelAsync(log, groups: 40);

        var report = retrainer.Judge("rt-few", data, new TrainingRun(OutcomeLog.Inverted(measured.Model), measured.Baseline!, measured.Measures));

        Assert.Equal(8, report.Judged.Count);
        Assert.False(report.Decision.Promote);
        Assert.Contains(report.Decision.Reasons, r => r.Contains("fewer than the 20 needed to judge", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Decision.Reasons, r => r.StartsWith("held-out outcomes: top-3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OutcomesLoggedUnderAnotherFeatureListAreSkippedAndCountedNeverPadded()
    {
        using var log = new OutcomeLog();
        var groups = OutcomeLog.HeldOutGroups(tiny);
        await log.LogAsync(groups.Take(30));
        await log.LogAsync(groups.Skip(30).Take(10), featureList: "0123456789abcdef", first: 30);
        // Logged before fingerprints were, by a service whose list was one feature shorter.
        await log.LogAsync(groups.Skip(40).Take(5).Select(g => g with { Features = [.. g.Features.Select(f => f[..^1])] }), featureList: "", first: 40);
        // Logged before fingerprints were, with today's list: their length is all there is to go by, and it fits.
        await log.LogAsync(groups.Skip(45).Take(5), featureList: "", first: 45);

        var read = await OutcomeGroups.ReadAsync(log.Store.ReadOutcomesAsync(null, Cancel), Cancel);
        var split = read.Split(Learning());

        Assert.Equal(15, read.OtherFeatureList);
        Assert.Equal(35, read.Usable.Count);
        Assert.All(read.Usable, g => Assert.All(g.Group.Features, f => Assert.Equal(Predictor.Features.FeatureSchema.Count, f.Length)));
        Assert.Equal(15, split.Training.Summary.OtherFeatureList);
    }

    [Fact]
    public async Task TheCallerWithTheMostOutcomesWeighsNoMoreThanTheRunnerUpAndALoneCallerWeighsInFull()
    {
        using var log = new OutcomeLog();
        var groups = OutcomeLog.HeldOutGroups(tiny).Where(g => g.Positive >= 0).Take(50).ToList();
        await log.LogAsync(groups.Take(30), caller: "tenant:mallory");
        await log.LogAsync(groups.Skip(30).Take(10), first: 30, caller: "tenant:alice");
        await log.LogAsync(groups.Skip(40).Take(10), first: 40, caller: "tenant:bob");
        using var alone = new OutcomeLog();
        await alone.LogAsync(groups.Take(40), caller: "tenant:mallory");

        var split = (await OutcomeGroups.ReadAsync(log.Store.ReadOutcomesAsync(null, Cancel), Cancel)).Split(new LearningOptions { HoldoutShare = 0 });
        var single = (await OutcomeGroups.ReadAsync(alone.Store.ReadOutcomesAsync(null, Cancel), Cancel)).Split(new LearningOptions { HoldoutShare = 0 });

        // Mallory's 30 groups weigh what alice's 10 do: 4 x 10 / 30 each.
        Assert.Equal(30 * 4f * 10 / 30, split.Training.Groups.Take(30).Sum(g => g.Weight), 3);
        Assert.All(split.Training.Groups.Skip(30), g => Assert.Equal(4f, g.Weight));
        Assert.Equal((3, 10 / 30.0), (split.Training.Summary.Callers, split.Training.Summary.LargestCallerWeight));
        Assert.All(single.Training.Groups, g => Assert.Equal(4f, g.Weight));
        Assert.Equal((1, 1.0), (single.Training.Summary.Callers, single.Training.Summary.LargestCallerWeight));
    }

    [Fact]
    public async Task TheHeldOutSliceIsTheNewestShareOrWhatCameAfterTheCutoffAndIsNeverTrainedOn()
    {
        using var log = new OutcomeLog();
        var ids = await log.LogAsync(OutcomeLog.HeldOutGroups(tiny));
        var read = await OutcomeGroups.ReadAsync(log.Store.ReadOutcomesAsync(null, Cancel), Cancel);
        var heldOutCount = (int)Math.Ceiling(0.2 * ids.Count);
        var cutoff = OutcomeLog.Start.AddMinutes(99);

        var byShare = read.Split(Learning());
        var byTime = read.Split(new LearningOptions { HoldoutAfter = cutoff });
        var capped = read.Split(new LearningOptions { MaxRealGroups = 10 });

        Assert.Equal(ids.TakeLast(heldOutCount), byShare.HeldOut.Select(g => g.PredictionId));
        Assert.Empty(byShare.Trained.Select(g => g.PredictionId).Intersect(byShare.HeldOut.Select(g => g.PredictionId)));
        Assert.True(byShare.Trained[^1].At < byShare.HeldOut[0].At);
        Assert.Equal(read.Usable.Take(ids.Count - heldOutCount).Where(g => g.Group.Positive >= 0).Select(g => g.PredictionId),
            byShare.Trained.Select(g => g.PredictionId));
        Assert.Equal(byShare.Trained.Count, byShare.Training.Groups.Count);
        Assert.All(byShare.Training.Groups, g => Assert.Equal(4f, g.Weight));
        Assert.Equal((byShare.HeldOut[0].At, heldOutCount), (byShare.Training.Summary.HoldoutFrom, byShare.Training.Summary.HoldoutGroups));

        Assert.Equal(ids.Count - 100, byTime.HeldOut.Count);
        Assert.All(byTime.HeldOut, g => Assert.True(g.At > cutoff));
        Assert.All(byTime.Trained, g => Assert.True(g.At <= cutoff));

        Assert.Equal(10, capped.Trained.Count);
        Assert.Equal(byShare.Trained.TakeLast(10).Select(g => g.PredictionId), capped.Trained.Select(g => g.PredictionId));
        Assert.Equal(byShare.Trained.Count - 10, capped.Training.Summary.Capped);
    }

    [Fact]
    public async Task ARetrainingTrainsOnTheOutcomesBeforeTheSliceAndWithNothingServingPromotesItsCandidate()
    {
        using var log = new OutcomeLog();
        var groups = OutcomeLog.HeldOutGroups(tiny);
        await log.LogAsync(groups);
        var labelledBeforeTheSlice = groups.Take(groups.Count - (int)Math.Ceiling(0.2 * groups.Count)).Count(g => g.Positive >= 0);
        var lines = new List<string>();

        var report = await RetrainerOf(log).RunAsync(tiny.TrainFile, "rt-first", new SynchronousProgress(lines.Add), Cancel);

        var real = report.Candidate.Info.RealOutcomes;
        Assert.NotNull(real);
        Assert.True(report.Decision.Promote);
        Assert.Null(report.Serving);
        Assert.Equal(report.Candidate.Version, log.Models.CurrentVersion());
        Assert.Equal(report.Outcomes, real);
        Assert.Equal(labelledBeforeTheSlice, real.Groups);
        Assert.True(real.Until < real.HoldoutFrom);
        Assert.Equal(real.Groups, report.Candidate.Info.Options["real_groups"]);
        // Same synthetic file, seed and clock as the tiny ranker: only the outcomes make it another model.
        Assert.NotEqual(tiny.Model.Version, report.Candidate.Version);
        Assert.NotEqual(tiny.Model.Ensemble.Trees[0].LeafValue, report.Candidate.Ensemble.Trees[0].LeafValue);
        Assert.Contains(lines, l => l.StartsWith($"training on {real.Groups} labelled outcomes before the held-out slice", StringComparison.Ordinal));
    }

    [Fact]
    public void InTheHeldOutComparisonTheCallerWithTheMostOutcomesWeighsNoMoreThanTheRunnerUp()
    {
        // Groups the tiny model ranks the chosen call of in its top three, and groups it does not.
        var scored = OutcomeLog.HeldOutGroups(tiny).Where(g => g.Positive >= 0)
            .Select(g => (Group: g, Rank: RankerTrainer.RankOf(g, [.. g.Features.Select(f => tiny.Model.Ensemble.Score(f))], tiesCountAgainst: true)))
            .ToList();
        var hits = scored.Where(s => s.Rank <= 3).Select(s => s.Group).Take(30).ToList();
        var misses = scored.Where(s => s.Rank > 3).Select(s => s.Group).Take(10).ToList();
        Assert.Equal((30, 10), (hits.Count, misses.Count));
        var groups = hits.Select((g, i) => new OutcomeGroup($"m-{i}", OutcomeLog.Start, "ltr-logged", g, "tenant:mallory"))
            .Concat(misses.Select((g, i) => new OutcomeGroup($"a-{i}", OutcomeLog.Start, "ltr-logged", g, "tenant:alice")))
            .ToList();

        var counted = Retrainer.Prequential(tiny.Model, groups)!;
        var weighed = Retrainer.Prequential(tiny.Model, OutcomeGroups.WeighedByCaller(groups))!;

        Assert.Equal(30 / 40.0, counted.Top3, 6);
        // Mallory's 30 hits weigh what alice's 10 misses do.
        Assert.Equal(0.5, weighed.Top3, 6);
        Assert.Equal(40, weighed.Groups);
    }

    [Fact]
    public async Task TheHeldOutOutcomesAreWeighedByCallerBeforeEitherModelIsJudgedOnThem()
    {
        using var log = new OutcomeLog();
        var groups = OutcomeLog.HeldOutGroups(tiny).Where(g => g.Positive >= 0).Take(40).ToList();
        await log.LogAsync(groups.Take(30), caller: "tenant:mallory");
        await log.LogAsync(groups.Skip(30), first: 30, caller: "tenant:alice");
        var lines = new List<string>();

        var data = await RetrainerOf(log, new LearningOptions { HoldoutShare = 1 }).PrepareAsync(new SynchronousProgress(lines.Add), Cancel);

        Assert.Equal(40, data.Judged.Count);
        Assert.All(data.Judged.Take(30), g => Assert.Equal(10 / 30f, g.Group.Weight, 6));
        Assert.All(data.Judged.Skip(30), g => Assert.Equal(1f, g.Group.Weight));
        Assert.Contains(lines, l => l.StartsWith("the held-out outcomes come from 2 callers", StringComparison.Ordinal));
    }

    [Fact]
    public void AModelThatScoresEveryCandidateAlikeRanksNoChosenCallFirst()
    {
        var groups = OutcomeLog.HeldOutGroups(tiny).Where(g => g.Positive >= 0)
            .Select((g, i) => new OutcomeGroup($"p-{i}", OutcomeLog.Start, "ltr-logged", g)).ToList();
        var flat = tiny.Model with { Ensemble = new TreeEnsemble(0, [], []) };

        var metrics = Retrainer.Prequential(flat, groups)!;

        Assert.All(groups, g => Assert.True(g.Group.Keys.Count > 3));
        Assert.Equal((0, 0), (metrics.Top1, metrics.Top3));
        Assert.Equal(1, metrics.Coverage);
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
