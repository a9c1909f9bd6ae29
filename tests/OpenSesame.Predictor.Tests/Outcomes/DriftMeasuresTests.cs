using OpenSesame.Predictor.Outcomes;

namespace OpenSesame.Predictor.Tests.Outcomes;

public sealed class DriftMeasuresTests
{
    private static float[] Uniform(int seed, int count, float shift = 0)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() + shift)];
    }

    [Fact]
    public void TheSameDistributionDrawnTwiceIsStable()
    {
        Assert.InRange(DriftMeasures.PopulationStability(Uniform(1, 5000), Uniform(2, 5000)), 0, 0.02);
    }

    [Fact]
    public void AShiftedDistributionIsAShift()
    {
        Assert.True(DriftMeasures.PopulationStability(Uniform(1, 5000), Uniform(2, 5000, shift: 0.5f)) > 0.25);
    }

    [Fact]
    public void AFlagThatTurnsOnFarMoreOftenIsAShiftAndOneThatDoesNotIsNot()
    {
        float[] Flags(int ones, int count) => [.. Enumerable.Range(0, count).Select(i => i < ones ? 1f : 0f)];

        Assert.True(DriftMeasures.PopulationStability(Flags(100, 1000), Flags(500, 1000)) > 0.25);
        Assert.InRange(DriftMeasures.PopulationStability(Flags(100, 1000), Flags(105, 1000)), 0, 0.01);
    }

    [Fact]
    public void NothingToCompareIsNoShift()
    {
        Assert.Equal(0, DriftMeasures.PopulationStability([], Uniform(1, 10)));
        Assert.Equal(0, DriftMeasures.PopulationStability(Uniform(1, 10), []));
    }

    [Fact]
    public void OnlineQualityCountsTheChosenCallsPlaceAmongTheSuggestions()
    {
        var quality = DriftMeasures.Quality([1, 2, 4, null]);

        Assert.Equal(new OnlineQuality(4, 0.25, 0.5, (1 + 0.5 + 0.25) / 4), quality);
        Assert.Equal(new OnlineQuality(0, 0, 0, 0), DriftMeasures.Quality([]));
    }
}
