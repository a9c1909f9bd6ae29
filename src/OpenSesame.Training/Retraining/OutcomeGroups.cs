using System.Security.Cryptography;
using System.Text;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Training.Retraining;

/// <summary>A logged outcome as a ranking group over its prediction's logged candidates, re-scored as logged.</summary>
/// <param name="At">When the prediction was answered: the order of the prequential slice.</param>
/// <param name="Group">Its candidates' logged vectors; <see cref="TrainingGroup.Positive"/> is the chosen call's index,
/// or -1 when the user chose a call the log does not hold.</param>
/// <param name="Caller">Who asked (as learned usage names callers); null when the log did not record it.</param>
internal sealed record OutcomeGroup(string PredictionId, DateTimeOffset At, string ModelVersion, TrainingGroup Group, string? Caller = null);

/// <summary>
/// The outcome log as ranking groups for today's feature list. An outcome counts when its prediction's vectors follow
/// today's list (same fingerprint; for rows logged before fingerprints were, the same length) and the user chose a
/// call: label 1 on that call when it is among the logged candidates. Vectors of another list are skipped and counted,
/// never padded or cut: a feature at another position means something else. "Ignored" outcomes (nothing chosen) say
/// nothing about the order of the candidates and are counted only. An outcome whose chosen call is not among the
/// logged candidates is kept without a positive: it is never trained on (a group without a positive gives LambdaRank
/// nothing to learn) but counts as a miss for both models when held out, so the slice's numbers stay honest about
/// what the log cannot rank.
/// </summary>
internal sealed class OutcomeGroups
{
    /// <summary>The domain name real groups carry in the training set.</summary>
    public const string Domain = "outcomes";

    private OutcomeGroups(List<OutcomeGroup> usable, int otherFeatureList, int ignored)
    {
        Usable = usable;
        OtherFeatureList = otherFeatureList;
        Ignored = ignored;
    }

    /// <summary>Outcomes of today's feature list that chose a call, oldest prediction first.</summary>
    public IReadOnlyList<OutcomeGroup> Usable { get; }

    /// <summary>Outcomes skipped because their vectors follow another feature list.</summary>
    public int OtherFeatureList { get; }

    /// <summary>Outcomes that chose nothing.</summary>
    public int Ignored { get; }

    /// <param name="logged">Oldest prediction first, as <see cref="IOutcomeReader.ReadOutcomesAsync"/> reads them.</param>
    public static async Task<OutcomeGroups> ReadAsync(IAsyncEnumerable<LoggedOutcome> logged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logged);
        var usable = new List<OutcomeGroup>();
        var (otherList, ignored) = (0, 0);
        await foreach (var (prediction, outcome) in logged.WithCancellation(cancellationToken))
        {
            if (!FollowsTodaysFeatureList(prediction))
            {
                otherList++;
                continue;
            }

            if (outcome.Chosen is not { } chosen)
            {
                ignored++;
                continue;
            }

            // Ordinal, as templates are logged: List.IndexOf compares strings by their characters.
            var endpoints = prediction.Candidates.Select(c => c.Endpoint).ToList();
            usable.Add(new OutcomeGroup(prediction.PredictionId, prediction.At, prediction.ModelVersion,
                new TrainingGroup(Domain, usable.Count, 0, endpoints, [.. prediction.Candidates.Select(c => c.Features)],
                    endpoints.IndexOf(chosen), RemovedOnPurpose: false), prediction.Caller));
        }

        return new OutcomeGroups(usable, otherList, ignored);
    }

    /// <summary>The groups weighed as <see cref="Split"/> weighs the trained ones, relative to each other: the caller
    /// with the most weighs, all together, what the runner-up does, everyone else 1 a group. The held-out slice is
    /// judged so too: one caller's flood of newest outcomes would otherwise decide which model serves everyone.</summary>
    public static IReadOnlyList<OutcomeGroup> WeighedByCaller(IReadOnlyList<OutcomeGroup> groups)
    {
        var (largest, factor, _) = LargestCaller(groups);
        return [.. groups.Select(g => g with { Group = g.Group with { Weight = (float)(g.Caller == largest ? factor : 1) } })];
    }

    // The caller with the most groups and the factor that brings them down to the runner-up's number.
    private static (string? Largest, double Factor, int Callers) LargestCaller(IReadOnlyList<OutcomeGroup> groups)
    {
        var counts = groups.GroupBy(g => g.Caller).Select(c => (c.Key, Count: c.Count())).OrderByDescending(c => c.Count).ToList();
        return counts.Count < 2
            ? (null, 1, counts.Count)
            : (counts[0].Key, (double)counts[1].Count / counts[0].Count, counts.Count);
    }

    private static bool FollowsTodaysFeatureList(ServedPrediction prediction) =>
        prediction.Candidates.Count > 0
        && prediction.Candidates.All(c => c.Features.Length == FeatureSchema.Count)
        && (prediction.FeatureList is null || prediction.FeatureList == FeatureFingerprint.Current);

    /// <summary>
    /// Splits by time: the held-out slice is the outcomes predicted after <see cref="LearningOptions.HoldoutAfter"/> when
    /// it is set, else the newest <see cref="LearningOptions.HoldoutShare"/> of them; the candidate trains on the
    /// labelled ones before it, the newest <see cref="LearningOptions.MaxRealGroups"/> of those, each weighing
    /// <see cref="LearningOptions.RealGroupWeight"/>, except that the caller with the most groups weighs no more, all
    /// together, than the runner-up: the model serves every caller, and one of them sending many made-up histories
    /// must not decide what it learns (learned usage has the same rule, <see cref="UsageOptions.MinimumCallers"/>). A
    /// deployment with one caller trains on all of its outcomes.
    /// </summary>
    public OutcomeSplit Split(LearningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var firstHeldOut = options.HoldoutAfter is { } after
            ? Usable.Count(g => g.At <= after)
            : Usable.Count - (int)Math.Ceiling(options.HoldoutShare * Usable.Count);
        var before = Usable.Take(firstHeldOut).ToList();
        var labelled = before.Where(g => g.Group.Positive >= 0).ToList();
        var trained = labelled.Skip(Math.Max(0, labelled.Count - options.MaxRealGroups)).ToList();
        var (largest, factor, callers) = LargestCaller(trained);
        var groups = trained
            .Select(g => g.Group with { Weight = (float)(options.RealGroupWeight * (g.Caller == largest ? factor : 1)) })
            .ToList();
        var summary = new RealOutcomeSummary(
            Groups: trained.Count,
            Weight: options.RealGroupWeight,
            From: trained.Count > 0 ? trained[0].At : null,
            Until: trained.Count > 0 ? trained[^1].At : null,
            HoldoutGroups: Usable.Count - firstHeldOut,
            HoldoutFrom: firstHeldOut < Usable.Count ? Usable[firstHeldOut].At : null,
            OtherFeatureList: OtherFeatureList,
            WithoutPositive: Usable.Count(g => g.Group.Positive < 0),
            Ignored: Ignored,
            Capped: labelled.Count - trained.Count,
            Callers: callers,
            LargestCallerWeight: factor);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', trained.Select(g => g.PredictionId).Prepend(options.RealGroupWeight.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
                .Append(factor.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))));
        return new OutcomeSplit(trained, [.. Usable.Skip(firstHeldOut)], new RealTrainingGroups(groups, summary, fingerprint));
    }
}

/// <summary>The outcomes a candidate trains on and the newer ones it is judged on; never one in both.</summary>
/// <param name="Trained">The labelled groups it trains on, oldest first.</param>
/// <param name="HeldOut">The newest outcomes, oldest first, positive or not.</param>
/// <param name="Training">The trained groups with their weight, as the trainer takes them.</param>
internal sealed record OutcomeSplit(IReadOnlyList<OutcomeGroup> Trained, IReadOnlyList<OutcomeGroup> HeldOut, RealTrainingGroups Training);
