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
    RankerMetrics? ServingSynthetic);

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

        promote &= Judge("synthetic calibration domains", evidence.CandidateSynthetic, evidence.ServingSynthetic, margin, reasons);
        return new(promote, reasons);
    }

    private static bool Judge(string on, RankerMetrics candidate, RankerMetrics serving, double margin, List<string> reasons)
    {
        var difference = candidate.Top3 - serving.Top3;
        var passes = difference >= -margin;
        reasons.Add(Invariant(
            $"{on}: top-3 {candidate.Top3:0.000} against {serving.Top3:0.000} ({difference:+0.000;-0.000;0.000}), {(passes ? "within" : "worse than")} the margin of {margin:0.000}"));
        return passes;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
