using OpenSesame.Predictor.Ranking;
using OpenSesame.Training.Retraining;

namespace OpenSesame.Training.Tests.Retraining;

/// <summary>The gate tells a loss on the synthetic suite from the noise of two trainings, case by case.</summary>
public sealed class PromotionGateTests
{
    private const int Groups = 163;

    private static RankerMetrics Top3(List<bool> hits) =>
        new(hits.Count, 1, 0, hits.Count(h => h) / (double)hits.Count, 0, 0, 0);

    // The serving model has the first 59 groups in its top 3; the candidate loses `lost` of them and gains `gained` others.
    private static GateEvidence Evidence(int lost, int gained, bool paired = true)
    {
        var serving = Enumerable.Range(0, Groups).Select(i => i < 59).ToList();
        var candidate = Enumerable.Range(0, Groups).Select(i => i < 59 ? i >= lost : i < 59 + gained).ToList();
        return new GateEvidence("ltr-serving", 0, null, null, Top3(candidate), Top3(serving))
        {
            CandidateSyntheticTop3 = paired ? candidate : null,
            ServingSyntheticTop3 = paired ? serving : null,
        };
    }

    [Fact]
    public void TwoCasesLostOfAFewHundredIsNoiseAndPromotes()
    {
        var decision = PromotionGate.Decide(Evidence(lost: 4, gained: 2), margin: 0.01, minHeldOut: 50);

        Assert.True(decision.Promote);
        Assert.Contains(decision.Reasons, r => r.Contains("2 gained, 4 lost", StringComparison.Ordinal) && r.Contains("within noise", StringComparison.Ordinal));
    }

    [Fact]
    public void ALossCaseByCaseBeyondNoiseIsRefused()
    {
        var decision = PromotionGate.Decide(Evidence(lost: 20, gained: 3), margin: 0.01, minHeldOut: 50);

        Assert.False(decision.Promote);
        Assert.Contains(decision.Reasons, r => r.Contains("a real loss", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutCaseByCaseResultsTheMarginAloneDecides()
    {
        Assert.False(PromotionGate.Decide(Evidence(lost: 4, gained: 2, paired: false), margin: 0.01, minHeldOut: 50).Promote);
        Assert.True(PromotionGate.Decide(Evidence(lost: 1, gained: 0, paired: false), margin: 0.01, minHeldOut: 50).Promote);
    }
}
