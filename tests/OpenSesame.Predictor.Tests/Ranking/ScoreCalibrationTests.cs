using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Predictor.Tests.Ranking;

public sealed class ScoreCalibrationTests
{
    private static readonly double[] Pool = [2.5, -1, 0.3, 0.3, 7, -4.2, 1];

    [Theory]
    [InlineData(1, 0)]
    [InlineData(0.2, -3)]
    [InlineData(3, 2)]
    [InlineData(8, 40)]
    public void ProbabilitiesOfAPoolAreInRangeOrderedByScoreAndLeaveRoomForNone(double temperature, double noneLogit)
    {
        var p = new ScoreCalibration(temperature, noneLogit).Probabilities(Pool);

        Assert.All(p, x => Assert.InRange(x, 0, 1));
        var byScore = Enumerable.Range(0, Pool.Length).OrderByDescending(i => Pool[i]).Select(i => p[i]).ToList();
        Assert.Equal(byScore.OrderByDescending(x => x), byScore);
        Assert.Equal(p[2], p[3]);
        Assert.True(p.Sum() < 1, $"The pool takes {p.Sum()}, leaving nothing for 'none of these'.");
    }

    [Fact]
    public void ProbabilitiesFollowTheFormula()
    {
        var calibration = new ScoreCalibration(2, 0.5);

        var p = calibration.Probabilities([1, 0]);

        var denominator = Math.Exp(0.5) + Math.Exp(2) + Math.Exp(0);
        Assert.Equal(Math.Exp(2) / denominator, p[0], 12);
        Assert.Equal(1 / denominator, p[1], 12);
    }

    [Fact]
    public void HugeScoresDoNotOverflow()
    {
        var p = new ScoreCalibration(4, 1).Probabilities([1000, 999, -1000]);

        Assert.All(p, x => Assert.True(double.IsFinite(x)));
        Assert.InRange(p.Sum(), 0.999, 1);
        Assert.True(p[0] > p[1] && p[1] > p[2]);
    }

    [Fact]
    public void AnEmptyPoolHasNoProbabilities() => Assert.Empty(new ScoreCalibration(1, 0).Probabilities([]));

    [Theory]
    [InlineData(2.0, 1.5)]
    [InlineData(0.7, -0.5)]
    public void FitRecoversTheTemperatureAndNoneWeightThatGeneratedTheGroups(double temperature, double noneLogit)
    {
        var truth = new ScoreCalibration(temperature, noneLogit);
        var groups = Sample(truth, groups: 4000, seed: 11);

        var fitted = ScoreCalibration.Fit(groups);

        Assert.Equal(temperature, fitted.Temperature, temperature * 0.1);
        Assert.Equal(noneLogit, fitted.NoneLogit, 0.2);
        Assert.True(fitted.NegativeLogLikelihood(groups) <= truth.NegativeLogLikelihood(groups) + 1e-9);
    }

    [Fact]
    public void NegativeLogLikelihoodCountsNoneForGroupsWithoutTheTrueCall()
    {
        var calibration = new ScoreCalibration(1, 0);
        (IReadOnlyList<double> Scores, int Positive)[] groups = [([0], 0), ([0], -1)];

        // Both groups: p(candidate) = p(none) = 1/2.
        Assert.Equal(Math.Log(2), calibration.NegativeLogLikelihood(groups), 12);
    }

    [Fact]
    public void ExpectedCalibrationErrorWeighsEachBinsGapByItsShare()
    {
        (double, bool)[] predictions =
        [
            (0.15, true), (0.15, false), (0.15, false), (0.15, false), // bin 1: said 0.15, happened 0.25
            (0.95, true), // bin 9: said 0.95, happened 1
            (0.85, true), // bin 8: said 0.85, happened 1
        ];

        var ece = ScoreCalibration.ExpectedCalibrationError(predictions);

        Assert.Equal((4 / 6.0 * 0.10) + (1 / 6.0 * 0.05) + (1 / 6.0 * 0.15), ece, 12);
    }

    [Fact]
    public void ExpectedCalibrationErrorIsZeroWhenEachBinHappensAsOftenAsItSays()
    {
        (double, bool)[] predictions = [(0.5, true), (0.5, false), (0.25, true), (0.25, false), (0.25, false), (0.25, false), (1.0, true)];

        Assert.Equal(0, ScoreCalibration.ExpectedCalibrationError(predictions), 12);
        Assert.Equal(0, ScoreCalibration.ExpectedCalibrationError([]));
    }

    [Fact]
    public void ExpectedCalibrationErrorOfConfidentMistakesIsTheirConfidence() =>
        Assert.Equal(0.9, ScoreCalibration.ExpectedCalibrationError([(0.9, false), (0.9, false)]), 12);

    // Pools of 3 to 12 candidates with normal scores; the true call (or none) drawn from the calibrated probabilities.
    private static List<(IReadOnlyList<double> Scores, int Positive)> Sample(ScoreCalibration truth, int groups, int seed)
    {
        var random = new Random(seed);
        var result = new List<(IReadOnlyList<double>, int)>(groups);
        for (var g = 0; g < groups; g++)
        {
            var scores = Enumerable.Range(0, random.Next(3, 13)).Select(_ => Normal(random)).ToArray();
            var p = truth.Probabilities(scores);
            var roll = random.NextDouble();
            var positive = -1;
            for (var i = 0; i < p.Length && positive < 0; i++)
            {
                roll -= p[i];
                positive = roll < 0 ? i : -1;
            }

            result.Add((scores, positive));
        }

        return result;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
