using System.Globalization;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Training.Retraining;

/// <summary>What the gate compares: both models' top-3 on the held-out outcomes and on the synthetic suite.</summary>
/// <param name="Serving">The version serving now; null when no learned model could be compared (none serves, or the
/// serving one was trained on another feature list and cannot score today's vectors).</param>
/// <param name="HeldOut">How many held-out outcomes both were measured on.</param>
internal sealed record GateEvidence(
    string? Serving,
    int HeldOut,
    RankerMetrics? CandidatePrequential,
    RankerMetrics? ServingPrequential,
    RankerMetrics CandidateSynthetic,
    RankerMetrics? ServingSynthetic)
{
    /// <summary>Per synthetic calibration group, whether each model had the true call in its top 3 (the same groups in
    /// the same order); null when not measured so.</summary>
    public IReadOnlyList<bool>? CandidateSyntheticTop3 { get; init; }

    /// <inheritdoc cref="CandidateSyntheticTop3"/>
    public IReadOnlyList<bool>? ServingSyntheticTop3 { get; init; }
}

/// <summary>Whether the candidate replaces the serving model, and every reason, in sentences for the operator.</summary>
internal sealed record PromotionDecision(bool Promote, IReadOnlyList<string> Reasons);

/// <summary>
/// The promotion gate: a candidate is promoted only when its top-3 is not worse than the serving model's by more than
/// the margin on both the held-out outcomes of real traffic (when there are enough of them to judge) and the synthetic
/// suite's calibration domains. Top-3 because the service shows a handful of suggestions and a user picks among the
/// first few; top-1 and MRR are reported beside it.
/// </summary>
internal static class PromotionGate
{
    public static PromotionDecision Decide(GateEvidence evidence, double margin, int minHeldOut)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (evidence.Serving is null || evidence.ServingSynthetic is null)
        {
            return new(true, ["no learned model that scores today's features serves from this store: nothing to compare with"]);
        }

        var reasons = new List<string>();
        var promote = true;
        if (evidence.HeldOut < minHeldOut || evidence.CandidatePrequential is null || evidence.ServingPrequential is null)
        {
            reasons.Add(Invariant($"held-out outcomes: {evidence.HeldOut}, fewer than the {minHeldOut} needed to judge; judged on the synthetic suite alone"));
        }
        else
        {
            promote &= Judge("held-out outcomes", evidence.CandidatePrequential, evidence.ServingPrequential, margin, reasons);
        }

        promote &= Judge("synthetic calibration domains", evidence.CandidateSynthetic, evidence.ServingSynthetic, margin, reasons,
            Paired(evidence.CandidateSyntheticTop3, evidence.ServingSyntheticTop3));
        return new(promote, reasons);
    }

    /// <summary>How far below zero z = (cases only the candidate has − cases only the serving model has) / √(their sum)
    /// must be for a loss beyond the margin to count: about two standard errors, the sign test's 5 % level. A suite of a
    /// few hundred groups moves by a case or two between two trainings of the same settings, more than a margin of 0.01.</summary>
    public const double SignificantZ = -2;

    private static (int Gained, int Lost)? Paired(IReadOnlyList<bool>? candidate, IReadOnlyList<bool>? serving) =>
        candidate is null || serving is null || candidate.Count != serving.Count
            ? null
            : (candidate.Where((hit, i) => hit && !serving[i]).Count(), candidate.Where((hit, i) => !hit && serving[i]).Count());

    private static bool Judge(string on, RankerMetrics candidate, RankerMetrics serving, double margin, List<string> reasons,
        (int Gained, int Lost)? paired = null)
    {
        var difference = candidate.Top3 - serving.Top3;
        var beyondMargin = difference < -margin;
        var passes = !beyondMargin;
        var noise = "";
        if (beyondMargin && paired is var (gained, lost))
        {
            var z = gained + lost == 0 ? 0 : (gained - lost) / Math.Sqrt(gained + lost);
            passes = z > SignificantZ;
            noise = Invariant($"; case by case {gained} gained, {lost} lost (z {z:+0.00;-0.00;0.00}), {(passes ? "within noise" : "a real loss")}");
        }

        reasons.Add(Invariant(
            $"{on}: top-3 {candidate.Top3:0.000} against {serving.Top3:0.000} ({difference:+0.000;-0.000;0.000}), {(beyondMargin ? "worse than" : "within")} the margin of {margin:0.000}{noise}"));
        return passes;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
