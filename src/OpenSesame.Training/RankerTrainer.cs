using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Training.Synthetic;
using OpenSesame.Training.Traffic;

namespace OpenSesame.Training;

/// <summary>
/// Fits the LightGBM LambdaRank model on synthetic sessions and the training part of recorded client traffic,
/// leaving whole synthetic domains out: the trees never see the calibration domains, whose groups then fit the score
/// calibration (half the sessions) and measure it (the other half), and never see the traffic's validation clients,
/// which are measured too. The reported numbers are therefore on APIs and clients the model never saw.
/// </summary>
internal sealed class RankerTrainer(TrainingOptions options, TimeProvider time)
{
    /// <param name="progress">Receives one line per stage and every few thousand sessions.</param>
    public RankerModel Train(string dataFile, IProgress<string>? progress = null) => Train(dataFile, null, null, progress).Model;

    /// <summary>
    /// Trains on the sessions of <paramref name="dataFile"/> (and the recorded traffic the options name) plus
    /// <paramref name="real"/>'s logged groups, which join the trees' training set only, and measures
    /// <paramref name="baseline"/> on exactly the groups the new model is measured on.
    /// </summary>
    /// <param name="real">Labelled groups of the deployment's own traffic; none when null.</param>
    /// <param name="baseline">A model to compare with (the serving one); none when null.</param>
    public TrainingRun Train(string dataFile, RealTrainingGroups? real, RankerModel? baseline, IProgress<string>? progress = null)
    {
        var started = time.GetTimestamp();
        var sessions = SyntheticSessionFile.Read(dataFile).ToList();
        if (sessions.Count == 0)
        {
            throw new InvalidOperationException($"{dataFile} holds no sessions; run 'opensesame generate' first.");
        }

        var synthetic = sessions.Count;
        var traffic = ReadTraffic(progress);
        var trafficTrain = traffic is null ? [] : TrafficSessions.ToTrainingSessions(traffic.Train).ToList();
        var catalogs = TrainingCatalogs.For(options.SharedFolder);
        var writer = new Random(options.Seed);
        for (var repeat = 0; repeat < options.TrafficRepeats; repeat++)
        {
            var replay = repeat + 1;
            sessions.AddRange((repeat == 0 || !options.WritePromptsForTraffic
                ? trafficTrain
                : trafficTrain.Select(s => TrafficSessions.WithWrittenPrompts(s, catalogs.Get(s.Domain).Catalog, PromptStyle, writer)))
                .Select(s => s with { Replay = replay }));
        }

        var domains = sessions.Select(s => s.Domain).Distinct().Order(StringComparer.Ordinal).ToList();
        // Recorded traffic is the only real data there is: it always trains, and is measured on its own validation part.
        var calibrationDomains = PickCalibrationDomains([.. domains.Except(trafficTrain.Select(s => s.Domain))]);
        progress?.Report($"{sessions.Count} sessions over {domains.Count} domains ({synthetic} synthetic, {trafficTrain.Count} recorded x {options.TrafficRepeats}); calibration domains: {string.Join(", ", calibrationDomains)}");

        using var embedder = options.Semantic ? new SentenceEmbedder() : null;
        if (embedder is not null)
        {
            Prime(embedder, sessions, progress);
        }

        var builder = new TrainingSetBuilder(options, embedder);
        var groups = new List<TrainingGroup>();
        for (var i = 0; i < sessions.Count; i++)
        {
            groups.AddRange(builder.Build(sessions[i], i));
            if ((i + 1) % 2000 == 0 || i + 1 == sessions.Count)
            {
                progress?.Report($"groups: {i + 1}/{sessions.Count} sessions replayed, {groups.Count} groups");
            }
        }

        var validation = traffic is null ? [] : ValidationGroups(traffic, embedder, writtenPrompts: false);
        var promptedValidation = traffic is null ? [] : ValidationGroups(traffic, embedder, writtenPrompts: true);
        var (count, absent, _) = builder.Counts;
        var train = groups.Where(g => !calibrationDomains.Contains(g.Domain)).ToList();
        var held = groups.Where(g => calibrationDomains.Contains(g.Domain)).ToList();
        if (real is { Groups.Count: > 0 })
        {
            // Real groups only ever fit trees: the calibration and the synthetic measures stay comparable across versions.
            train.AddRange(real.Groups);
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"{real.Groups.Count} labelled groups of logged outcomes join the training set, weight {real.Summary.Weight:0.###} each"));
        }

        progress?.Report($"fitting LightGBM LambdaRank on {train.Count} groups ({options.Iterations} trees, {options.Leaves} leaves)");
        var ensemble = Fit(train);

        var scored = held.Select(g => (Group: g, Scores: Score(ensemble, g))).ToList();
        var calibration = ScoreCalibration.Fit([.. scored.Where(s => FitsCalibration(s.Group.Session)).Select(s => (s.Scores, s.Group.Positive))]);
        var suite = new SuiteGroups(held.Where(g => !FitsCalibration(g.Session)).ToList(), validation, promptedValidation);
        var measures = suite.Measure(ensemble, calibration);
        ReportByPromptKind(suite, measures, sessions, progress);
        var (metrics, withUsage, withLlm, trafficValidation, promptedTrafficValidation) = measures;
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"calibration domains: top1 {metrics.Top1:0.000}, top3 {metrics.Top3:0.000}, mrr {metrics.Mrr:0.000}, ECE {metrics.ExpectedCalibrationError:0.000}"));
        if (withUsage is not null)
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"with usage learned from earlier sessions: top1 {withUsage.Top1:0.000}, top3 {withUsage.Top3:0.000}, mrr {withUsage.Mrr:0.000}, ECE {withUsage.ExpectedCalibrationError:0.000}"));
        }

        if (withLlm is not null)
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"with a simulated LLM answer (hit rate {options.SimulatedLlmHitRate:0.00}): top1 {withLlm.Top1:0.000}, top3 {withLlm.Top3:0.000}, mrr {withLlm.Mrr:0.000}, ECE {withLlm.ExpectedCalibrationError:0.000}"));
        }

        if (trafficValidation is not null && promptedTrafficValidation is not null)
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"recorded traffic, validation part (clients never trained on; pool as built, before critique): top1 {trafficValidation.Top1:0.000}, top3 {trafficValidation.Top3:0.000}, mrr {trafficValidation.Mrr:0.000}, coverage {trafficValidation.Coverage:0.000}"));
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"the same with written prompts: top1 {promptedTrafficValidation.Top1:0.000}, top3 {promptedTrafficValidation.Top3:0.000}, mrr {promptedTrafficValidation.Mrr:0.000}, coverage {promptedTrafficValidation.Coverage:0.000}"));
        }

        SuiteMetrics? baselineMeasures = null;
        if (baseline is not null)
        {
            baselineMeasures = suite.Measure(baseline.Ensemble, baseline.Calibration);
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"{baseline.Version} on the same calibration domains: top1 {baselineMeasures.Calibration.Top1:0.000}, top3 {baselineMeasures.Calibration.Top3:0.000}, mrr {baselineMeasures.Calibration.Mrr:0.000}"));
        }

        var createdAt = time.GetUtcNow();
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dataFile)));
        // The same synthetic file with other logged outcomes is other data: the version tells them apart.
        var versionHash = real is { Groups.Count: > 0 }
            ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sha + "\n" + real.Fingerprint)))
            : sha;
        var info = new RankerModelInfo(
            Version: string.Create(CultureInfo.InvariantCulture, $"ltr-{createdAt:yyyyMMdd-HHmmss}-{versionHash[..8]}"),
            CreatedAt: createdAt,
            Features: [.. FeatureSchema.Names],
            DataFile: Path.GetFileName(dataFile),
            DataSha256: sha,
            Sessions: sessions.Count,
            Groups: count,
            AbsentShare: count == 0 ? 0 : absent / (double)count,
            Seed: options.Seed,
            TrainDomains: [.. domains.Except(calibrationDomains)],
            CalibrationDomains: calibrationDomains,
            Options: new Dictionary<string, double>
            {
                ["k"] = options.K,
                ["candidate_buffer"] = options.CandidateBuffer,
                ["candidate_buffer_per_root_operation"] = options.CandidateBufferPerRootOperation,
                ["max_candidate_buffer"] = options.MaxCandidateBuffer,
                ["absent_share_target"] = options.AbsentShare,
                ["templated_history_share"] = options.TemplatedHistoryShare,
                ["no_timestamp_share"] = options.NoTimestampShare,
                ["iterations"] = options.Iterations,
                ["leaves"] = options.Leaves,
                ["learning_rate"] = options.LearningRate,
                ["min_examples_per_leaf"] = options.MinExamplesPerLeaf,
                ["feature_fraction"] = options.FeatureFraction,
                ["semantic"] = options.Semantic ? 1 : 0,
                ["data_flow"] = options.DataFlow ? 1 : 0,
                ["simulated_llm_share"] = options.SimulatedLlmShare,
                ["simulated_llm_hit_rate"] = options.SimulatedLlmHitRate,
                ["simulated_llm_answer_size"] = options.SimulatedLlmAnswerSize,
                ["usage_share"] = options.UsageShare,
                ["traffic_train_sessions"] = trafficTrain.Count,
                ["traffic_repeats"] = options.TrafficRepeats,
                ["write_prompts_for_traffic"] = options.WritePromptsForTraffic ? 1 : 0,
                ["real_groups"] = real?.Groups.Count ?? 0,
                ["real_group_weight"] = real?.Summary.Weight ?? 0,
            },
            Calibration: metrics,
            TrainingTime: time.GetElapsedTime(started),
            CalibrationWithSimulatedLlm: withLlm,
            CalibrationWithUsage: withUsage,
            TrafficValidation: trafficValidation,
            TrafficValidationWithWrittenPrompts: promptedTrafficValidation,
            RealOutcomes: real?.Summary);
        return new TrainingRun(new RankerModel(info, ensemble, calibration), measures, baselineMeasures);
    }

    // The calibration measure split by how the session's user asked: a change aimed at one kind of prompt (briefs of
    // several steps, say) shows there, where the whole measure's other four fifths would hide it.
    private static void ReportByPromptKind(SuiteGroups suite, SuiteMetrics measures, List<SyntheticSession> sessions,
        IProgress<string>? progress)
    {
        var plain = suite.Plain.ToList();
        if (progress is null || measures.CalibrationTop3 is not { } top3)
        {
            return;
        }

        var kinds = plain.Select((g, i) => (Kind: sessions[g.Session].PromptKind, Hit: top3[i]))
            .GroupBy(x => x.Kind).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture,
                $"{g.Key.ToString().ToLowerInvariant()} {g.Count(x => x.Hit) / (double)g.Count():0.000} ({g.Count()})"));
        progress.Report($"calibration domains by prompt kind, top3 (groups): {string.Join(", ", kinds)}");
    }

    private static IReadOnlyList<double> Score(TreeEnsemble ensemble, TrainingGroup group) =>
        [.. group.Features.Select(f => ensemble.Score(f))];

    /// <summary>The groups every model of a run is measured on: the calibration domains' measuring half, and the
    /// traffic's validation clients without and with written prompts.</summary>
    private sealed record SuiteGroups(List<TrainingGroup> Held, List<TrainingGroup> Validation, List<TrainingGroup> PromptedValidation)
    {
        /// <summary>The held groups without a language model's answer or learned usage, in order: the calibration
        /// measure's, and <see cref="SuiteMetrics.CalibrationTop3"/>'s one entry per group.</summary>
        public IEnumerable<TrainingGroup> Plain => Held.Where(g => !HasLlmAnswer(g) && !HasUsage(g));

        public SuiteMetrics Measure(TreeEnsemble ensemble, ScoreCalibration calibration)
        {
            var byKind = Held.ToLookup(g => (Llm: HasLlmAnswer(g), Usage: HasUsage(g)));
            var llm = byKind[(true, false)].Concat(byKind[(true, true)]).ToList();
            List<(TrainingGroup Group, IReadOnlyList<double> Scores)> plain = [.. Plain.Select(g => (g, Score(ensemble, g)))];
            return new SuiteMetrics(
                RankerTrainer.Measure(plain, calibration),
                byKind[(false, true)].Any() ? MeasureOf([.. byKind[(false, true)]]) : null,
                llm.Count > 0 ? MeasureOf(llm) : null,
                Validation.Count > 0 ? MeasureOf(Validation) : null,
                PromptedValidation.Count > 0 ? MeasureOf(PromptedValidation) : null)
            {
                CalibrationTop3 = [.. plain.Select(g => RankerTrainer.RankOf(g.Group, g.Scores) <= 3)],
            };

            RankerMetrics MeasureOf(List<TrainingGroup> groups) =>
                RankerTrainer.Measure([.. groups.Select(g => (g, Score(ensemble, g)))], calibration);
        }
    }

    private TrafficSplit? ReadTraffic(IProgress<string>? progress)
    {
        if (options.Traffic is null || options.TrafficRepeats <= 0)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(options.SharedFolder, options.Traffic));
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            progress?.Report($"no recorded traffic at {path}: training on synthetic sessions only");
            return null;
        }

        var read = RecordedTraffic.Read(path);
        var split = TrafficSplit.Create(read.Sessions);
        progress?.Report($"recorded traffic {path}: {read.Sessions.Count} sessions ({read.Problems.Count} lines or calls unreadable); {split}");
        return split;
    }

    // How prompts are written for recorded sessions: the walks' settings, so both read alike.
    private static readonly SpecWalkOptions PromptStyle = new();

    // The validation clients' sessions as they send them, through the same pool the service builds; with written
    // prompts (a fixed seed, so every model is measured on the same ones) they stand for prompted requests on large
    // real specs, which no other selection measure has.
    private List<TrainingGroup> ValidationGroups(TrafficSplit traffic, SentenceEmbedder? embedder, bool writtenPrompts)
    {
        var builder = new TrainingSetBuilder(options.AsClientSendsThem(), embedder);
        var catalogs = TrainingCatalogs.For(options.SharedFolder);
        var writer = new Random(options.Seed);
        return [.. TrafficSessions.ToTrainingSessions(traffic.Validation)
            .Select(s => writtenPrompts ? TrafficSessions.WithWrittenPrompts(s, catalogs.Get(s.Domain).Catalog, PromptStyle, writer) : s)
            .SelectMany((session, i) => builder.Build(session, i))];
    }

    // One batched pass over the distinct prompts: encoding them one by one while replaying steps is three times slower.
    private static void Prime(SentenceEmbedder embedder, List<SyntheticSession> sessions, IProgress<string>? progress)
    {
        // Sorted by length so each batch pads to a similar length: padding to the longest prompt is wasted work.
        var prompts = sessions.SelectMany(s => s.Prompts).OfType<string>().Distinct(StringComparer.Ordinal)
            .OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal).ToList();
        const int Batch = 256;
        for (var i = 0; i < prompts.Count; i += Batch)
        {
            embedder.EmbedMany(prompts.GetRange(i, Math.Min(Batch, prompts.Count - i)));
            if ((i / Batch) % 10 == 9 || i + Batch >= prompts.Count)
            {
                progress?.Report($"embeddings: {Math.Min(i + Batch, prompts.Count)}/{prompts.Count} distinct prompts");
            }
        }
    }

    private static bool HasUsage(TrainingGroup group) =>
        group.Features.Length > 0 && group.Features[0][FeatureSchema.UsageEvidence] > 0;

    private static bool HasLlmAnswer(TrainingGroup group) =>
        group.Features.Length > 0 && group.Features[0][FeatureSchema.LlmAnswered] > 0;

    // Half the sessions of the calibration domains fit the calibration, the other half measure it. Sessions of one
    // domain sit at regular intervals in the file, so index parity would put a whole domain on one side: draw instead.
    private bool FitsCalibration(int session) => TrainingOptions.Uniform(options.Seed, session, RandomChoice.CalibrationHalf) < 0.5;

    private List<string> PickCalibrationDomains(List<string> domains)
    {
        if (domains.Count <= options.CalibrationDomainCount)
        {
            throw new InvalidOperationException(
                $"Leaving {options.CalibrationDomainCount} domains out needs more than {domains.Count} domains in the data.");
        }

        var shuffled = domains.ToArray();
        new Random(options.Seed).Shuffle(shuffled);
        return [.. shuffled.Take(options.CalibrationDomainCount).Order(StringComparer.Ordinal)];
    }

    private TreeEnsemble Fit(List<TrainingGroup> groups) => FitLightGbm(new MLContext(options.Seed), groups).Ensemble;

    /// <summary>The ML.NET model and the ensemble extracted from it; a test checks that both score alike.</summary>
    internal (ITransformer Model, TreeEnsemble Ensemble) FitLightGbm(MLContext ml, IReadOnlyList<TrainingGroup> groups)
    {
        var trainer = ml.Transforms.Conversion.MapValueToKey("GroupKey", nameof(Row.GroupId))
            .Append(ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
            {
                LabelColumnName = nameof(Row.Label),
                FeatureColumnName = nameof(Row.Features),
                RowGroupColumnName = "GroupKey",
                NumberOfIterations = options.Iterations,
                NumberOfLeaves = options.Leaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf,
                Seed = options.Seed,
                Booster = new GradientBooster.Options { FeatureFraction = options.FeatureFraction },
                Silent = true,
                // Only when some group weighs other than 1, so that a run without real groups fits as it always did.
                ExampleWeightColumnName = groups.Any(g => g.Weight != 1) ? nameof(Row.Weight) : null,
            }));
        var model = trainer.Fit(ToDataView(ml, groups));
        return (model, Extract(model.LastTransformer.Model.TrainedTreeEnsemble));
    }

    /// <summary>One row per candidate, group after group: label (1 for the true call), group id, features, and the
    /// group's weight (LightGBM's LambdaRank multiplies each row's gradient by it).</summary>
    internal static IDataView ToDataView(MLContext ml, IReadOnlyList<TrainingGroup> groups)
    {
        var rows = groups.SelectMany((g, id) => g.Features.Select((f, i) => new Row
        {
            Label = i == g.Positive ? 1 : 0,
            GroupId = (uint)id,
            Features = f,
            Weight = g.Weight,
        }));
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureSchema.Count);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static TreeEnsemble Extract(RegressionTreeEnsemble ensemble) => new(
        ensemble.Bias,
        [.. ensemble.TreeWeights],
        [.. ensemble.Trees.Select(t => new Predictor.Ranking.RegressionTree(
            [.. t.NumericalSplitFeatureIndexes],
            [.. t.NumericalSplitThresholds],
            [.. t.LeftChild],
            [.. t.RightChild],
            [.. t.LeafValues]))]);

    /// <param name="tiesCountAgainst">Whether candidates scored the same as the true call rank before it. The trainer's
    /// own measures let ties go the true call's way; judging a candidate for promotion does not, or a model that
    /// scores everything alike would rank every true call first.</param>
    /// <param name="byWeight">Coverage, top-1, top-3 and MRR count each group by its <see cref="TrainingGroup.Weight"/>
    /// instead of once (the calibration measures still count every group once).</param>
    internal static RankerMetrics Measure(List<(TrainingGroup Group, IReadOnlyList<double> Scores)> groups, ScoreCalibration calibration,
        bool tiesCountAgainst = false, bool byWeight = false)
    {
        var ranks = groups.Select(g => (Rank: RankOf(g.Group, g.Scores, tiesCountAgainst), Weight: byWeight ? g.Group.Weight : 1.0)).ToList();
        // Calibration is judged on what a user sees first: the top candidate's probability against whether it was right.
        // (Over every candidate, the many near-zero ones would make any calibration look good.)
        var predictions = groups.Where(g => g.Scores.Count > 0).Select(g =>
        {
            var p = calibration.Probabilities(g.Scores);
            var top = Array.IndexOf(p, p.Max());
            return (p[top], top == g.Group.Positive);
        });
        var n = ranks.Sum(r => r.Weight) is > 0 and var total ? total : 1;
        return new RankerMetrics(
            groups.Count,
            ranks.Where(r => r.Rank is not null).Sum(r => r.Weight) / n,
            ranks.Where(r => r.Rank <= 1).Sum(r => r.Weight) / n,
            ranks.Where(r => r.Rank <= 3).Sum(r => r.Weight) / n,
            ranks.Sum(r => r.Rank is { } rank ? r.Weight / rank : 0) / n,
            ScoreCalibration.ExpectedCalibrationError(predictions),
            calibration.NegativeLogLikelihood([.. groups.Select(g => (g.Scores, g.Group.Positive))]));
    }

    /// <summary>The 1-based place of the group's true call by <paramref name="scores"/>; null when the pool lacks it.</summary>
    internal static int? RankOf(TrainingGroup group, IReadOnlyList<double> scores, bool tiesCountAgainst = false) =>
        group.Positive < 0
            ? null
            : 1 + scores.Count(s => s > scores[group.Positive])
              + (tiesCountAgainst ? scores.Count(s => s == scores[group.Positive]) - 1 : 0);

    private sealed class Row
    {
        public float Label { get; set; }

        public uint GroupId { get; set; }

        public float[] Features { get; set; } = [];

        public float Weight { get; set; } = 1;
    }
}
