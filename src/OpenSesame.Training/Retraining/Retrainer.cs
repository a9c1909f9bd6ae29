using System.Globalization;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Training.Retraining;

/// <summary>
/// One retraining from the deployment's own traffic: reads the outcome log, holds out its newest slice, trains a
/// candidate on the synthetic corpus (with the options <c>opensesame train</c> takes) plus the older labelled outcomes,
/// measures the candidate and the serving model on the held-out slice (re-scoring the logged vectors with each one's
/// trees) and on the synthetic suite, and lets <see cref="PromotionGate"/> decide. The candidate is always saved; it
/// becomes current only when the gate promotes it, and a running service swaps it in at its next reload.
/// </summary>
/// <param name="shipped">The model that ships with the service, which serves while the store has no current version;
/// null when there is none.</param>
internal sealed class Retrainer(
    TrainingOptions training,
    LearningOptions learning,
    IOutcomeReader outcomes,
    RankerModelStore store,
    RankerModelStore? shipped,
    TimeProvider time)
{
    /// <summary>Reads the outcome log, splits it and finds the serving model.</summary>
    public async Task<RetrainData> PrepareAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var log = await OutcomeGroups.ReadAsync(outcomes.ReadOutcomesAsync(null, cancellationToken), cancellationToken);
        var split = log.Split(learning);
        var summary = split.Training.Summary;
        progress?.Report(Invariant(
            $"outcome log: {log.Usable.Count} outcomes of today's feature list that chose a call ({summary.WithoutPositive} of them a call the log does not hold), {log.OtherFeatureList} of another feature list skipped, {log.Ignored} ignored"));
        progress?.Report(Invariant(
            $"training on {summary.Groups} labelled outcomes before the held-out slice (weight {summary.Weight:0.###}, {summary.Capped} older ones left out by the cap of {learning.MaxRealGroups}); holding out the newest {split.HeldOut.Count}{(summary.HoldoutFrom is { } from ? Invariant($", predicted from {from:u}") : "")}"));

        var (serving, problem) = LoadServing();
        var judged = split.HeldOut;
        if (serving?.Info.RealOutcomes?.Until is { } servingUntil)
        {
            // The serving model may have trained on part of today's slice: it is judged on what neither model saw.
            judged = [.. split.HeldOut.Where(g => g.At > servingUntil)];
            if (judged.Count < split.HeldOut.Count)
            {
                progress?.Report(Invariant(
                    $"{split.HeldOut.Count - judged.Count} held-out outcomes are left out of the comparison: {serving.Version} trained on them"));
            }
        }

        judged = OutcomeGroups.WeighedByCaller(judged);
        if (judged.Select(g => g.Caller).Distinct().Count() is > 1 and var callers)
        {
            progress?.Report(Invariant(
                $"the held-out outcomes come from {callers} callers; the one with the most weighs in the comparison what the runner-up does ({judged.Min(g => g.Group.Weight):0.###} a group)"));
        }

        progress?.Report(serving is null
            ? $"no learned model to compare with: {problem}"
            : $"serving model: {serving.Version}");
        return new RetrainData(log, split, serving, problem, judged);
    }

    /// <summary>Trains the candidate; the serving model is measured on the same synthetic groups.</summary>
    public TrainingRun Train(string dataFile, RetrainData data, IProgress<string>? progress)
    {
        ArgumentNullException.ThrowIfNull(data);
        var run = new RankerTrainer(training, time).Train(dataFile, data.Split.Training, data.Serving, progress);
        // A version names its data and the second it was made; two runs with other options in one second would share
        // it, and saving the second must not overwrite the first (which may be current).
        var saved = store.Versions();
        var version = run.Model.Version;
        for (var n = 2; saved.Contains(version, StringComparer.Ordinal); n++)
        {
            version = string.Create(CultureInfo.InvariantCulture, $"{run.Model.Version}-{n}");
        }

        return version == run.Model.Version
            ? run
            : run with { Model = run.Model with { Info = run.Model.Info with { Version = version } } };
    }

    /// <summary>Measures both models on the held-out outcomes and asks the gate.</summary>
    public RetrainReport Judge(string request, RetrainData data, TrainingRun run)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(run);
        var candidatePrequential = Prequential(run.Model, data.Judged);
        var servingPrequential = data.Serving is null ? null : Prequential(data.Serving, data.Judged);
        var evidence = new GateEvidence(data.Serving?.Version, data.Judged.Count, candidatePrequential, servingPrequential,
            run.Measures.Calibration, run.Baseline?.Calibration)
        {
            CandidateSyntheticTop3 = run.Measures.CalibrationTop3,
            ServingSyntheticTop3 = run.Baseline?.CalibrationTop3,
        };
        var decision = PromotionGate.Decide(evidence, learning.PromotionMargin, learning.MinHoldoutGroups);
        if (data.Serving is { } serving && serving.Info.TrainDomains.Intersect(run.Model.Info.CalibrationDomains).ToList() is { Count: > 0 } seen)
        {
            // Said, not decided on: the serving model then looks better than it is there, which only makes the gate stricter.
            decision = decision with
            {
                Reasons = [.. decision.Reasons, $"note: {serving.Version} was trained on {string.Join(", ", seen)}, which the synthetic comparison holds out"],
            };
        }

        return new RetrainReport(request, run.Model, data.Serving?.Version, data.ServingProblem, data.Split.Training.Summary,
            data.Judged, candidatePrequential, servingPrequential, run.Measures, run.Baseline, decision);
    }

    /// <summary>Saves the candidate, makes it current when promoted, and records what was measured of both models.</summary>
    public void Publish(RetrainReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var now = time.GetUtcNow();
        store.SaveVersion(report.Candidate);
        if (report.Decision.Promote)
        {
            store.Promote(report.Candidate.Version, $"retrain {report.Request}: {string.Join("; ", report.Decision.Reasons)}");
        }

        var (from, until) = report.Judged.Count > 0 ? (report.Judged[0].At, report.Judged[^1].At) : ((DateTimeOffset?)null, (DateTimeOffset?)null);
        store.RecordEvaluation(new ModelEvaluation(now, report.Candidate.Version, "candidate", report.Request, report.Judged.Count,
            from, until, report.CandidatePrequential, report.CandidateSuite.Calibration, report.Decision.Promote));
        if (report.Serving is not null)
        {
            store.RecordEvaluation(new ModelEvaluation(now, report.Serving, "serving", report.Request, report.Judged.Count,
                from, until, report.ServingPrequential, report.ServingSuite?.Calibration, report.Decision.Promote));
        }
    }

    /// <summary>All of it: prepare, train, judge, publish.</summary>
    public async Task<RetrainReport> RunAsync(string dataFile, string request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var data = await PrepareAsync(progress, cancellationToken);
        var run = Train(dataFile, data, progress);
        var report = Judge(request, data, run);
        Publish(report);
        return report;
    }

    /// <summary>Top-1, top-3 and MRR of a model's trees over held-out outcomes' logged vectors, each group counted by
    /// its weight (<see cref="OutcomeGroups.WeighedByCaller"/>); a tie with the chosen call counts against the model.</summary>
    internal static RankerMetrics? Prequential(RankerModel model, IReadOnlyList<OutcomeGroup> groups) =>
        groups.Count == 0
            ? null
            : RankerTrainer.Measure(
                [.. groups.Select(g => (g.Group, (IReadOnlyList<double>)[.. g.Group.Features.Select(f => model.Ensemble.Score(f))]))],
                model.Calibration, tiesCountAgainst: true, byWeight: true);

    // What serves now, as the service picks it: the store's current version, else the shipped one.
    private (RankerModel? Model, string? Problem) LoadServing()
    {
        var (source, version) = store.CurrentVersion() is { } current ? (store, current)
            : shipped?.CurrentVersion() is { } fallback ? (shipped, fallback)
            : (null, null);
        if (source is null || version is null)
        {
            return (null, "no model was trained into the store and none ships with the service");
        }

        try
        {
            return (source.Load(version), null);
        }
        catch (InvalidDataException ex)
        {
            return (null, ex.Message);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What a retraining reads before it trains.</summary>
/// <param name="Serving">The model serving now, when it loads and scores today's features.</param>
/// <param name="ServingProblem">Why no serving model is compared, when none is.</param>
/// <param name="Judged">The held-out outcomes both models are measured on: the slice, less what the serving model
/// was trained on, weighed by caller.</param>
internal sealed record RetrainData(OutcomeGroups Log, OutcomeSplit Split, RankerModel? Serving, string? ServingProblem,
    IReadOnlyList<OutcomeGroup> Judged);

/// <summary>What a retraining measured and decided.</summary>
internal sealed record RetrainReport(
    string Request,
    RankerModel Candidate,
    string? Serving,
    string? ServingProblem,
    RealOutcomeSummary Outcomes,
    IReadOnlyList<OutcomeGroup> Judged,
    RankerMetrics? CandidatePrequential,
    RankerMetrics? ServingPrequential,
    SuiteMetrics CandidateSuite,
    SuiteMetrics? ServingSuite,
    PromotionDecision Decision);
