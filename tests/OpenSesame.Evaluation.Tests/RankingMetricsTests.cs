using OpenSesame.Evaluation;

namespace OpenSesame.Evaluation.Tests;

public sealed class RankingMetricsTests
{
    private const double Tolerance = 1e-12;

    // Ten keys with the expected one at position `rank` among misses; rank 0 leaves it out.
    private static string[] Ranked(int rank, string expected, int length = 10) =>
        [.. Enumerable.Range(1, length).Select(i => i == rank ? expected : $"other{i}")];

    private static RankedCase Hit(int rank, int history = 0) => new(Ranked(rank, "GET /x"), "GET /x", history);

    private static RankedCase Miss(int history = 0) => new(Ranked(0, "GET /x"), "GET /x", history);

    [Fact]
    public void RankIsThePositionOfTheFirstOccurrenceCountingFromOne()
    {
        Assert.Equal(1, RankingMetrics.RankOf(["a", "b", "a"], "a"));
        Assert.Equal(2, RankingMetrics.RankOf(["a", "b", "b"], "b"));
        Assert.Null(RankingMetrics.RankOf(["a", "b"], "c"));
        Assert.Null(RankingMetrics.RankOf([], "a"));
    }

    [Fact]
    public void KeysMustMatchExactly()
    {
        Assert.Null(RankingMetrics.RankOf(["get /pets", "GET /pets/"], "GET /pets"));
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 0.5)]
    [InlineData(4, 0.25)]
    [InlineData(10, 0.1)]
    public void ReciprocalRankIsOneOverTheRankAnywhereInTheList(int rank, double expected)
    {
        Assert.Equal(expected, RankingMetrics.ReciprocalRank(rank), Tolerance);
    }

    [Fact]
    public void ReciprocalRankOfAMissIsZero() => Assert.Equal(0, RankingMetrics.ReciprocalRank(null));

    [Theory]
    [InlineData(1, 1.0)] // 1/log2(2)
    [InlineData(2, 0.63092975357145743)] // 1/log2(3)
    [InlineData(3, 0.5)] // 1/log2(4)
    [InlineData(4, 0.43067655807339306)] // 1/log2(5)
    [InlineData(5, 0.38685280723454163)] // 1/log2(6)
    [InlineData(6, 0.0)] // beyond the cut-off
    public void NdcgAtFiveWithOneRelevantItemIsTheDiscountOfItsRank(int rank, double expected)
    {
        Assert.Equal(expected, RankingMetrics.Ndcg5(rank), Tolerance);
    }

    [Fact]
    public void NdcgOfAMissIsZero() => Assert.Equal(0, RankingMetrics.Ndcg5(null));

    [Fact]
    public void ScoresAreMeansOverCases()
    {
        // Ranks 1, 3, 6 and a miss.
        var scores = RankingMetrics.Score([Hit(1), Hit(3), Hit(6), Miss()]);

        Assert.Equal(4, scores.Count);
        Assert.Equal(0.25, scores.Top1, Tolerance); // 1 of 4
        Assert.Equal(0.5, scores.Top3, Tolerance); // ranks 1 and 3
        Assert.Equal(0.5, scores.Top5, Tolerance); // rank 6 is not in the top 5
        Assert.Equal(0.375, scores.Mrr, Tolerance); // (1 + 1/3 + 1/6 + 0) / 4 = 1.5 / 4
        Assert.Equal(0.375, scores.Ndcg5, Tolerance); // (1 + 0.5 + 0 + 0) / 4
        Assert.Equal(0.75, scores.Coverage, Tolerance); // 3 of 4 anywhere in the list
    }

    [Fact]
    public void TopFiveAndNdcgCountRanksTwoToFive()
    {
        var scores = RankingMetrics.Score([Hit(2), Hit(4), Hit(5)]);

        Assert.Equal(0, scores.Top1);
        Assert.Equal(1.0 / 3, scores.Top3, Tolerance);
        Assert.Equal(1, scores.Top5, Tolerance);
        Assert.Equal((1 / 2.0 + 1 / 4.0 + 1 / 5.0) / 3, scores.Mrr, Tolerance); // 0.31666...
        Assert.Equal((0.63092975357145743 + 0.43067655807339306 + 0.38685280723454163) / 3, scores.Ndcg5, Tolerance);
        Assert.Equal(1, scores.Coverage);
    }

    [Fact]
    public void ADuplicateBelowAHitDoesNotCountTwice()
    {
        var scores = RankingMetrics.Score([new RankedCase(["GET /x", "GET /x"], "GET /x", 0)]);

        Assert.Equal((1.0, 1.0, 1.0), (scores.Top1, scores.Mrr, scores.Coverage));
    }

    [Fact]
    public void AnEmptyRankingIsAMiss()
    {
        var scores = RankingMetrics.Score([new RankedCase([], "GET /x", 0)]);

        Assert.Equal(RankingScores.Empty with { Count = 1 }, scores);
    }

    [Fact]
    public void NoCasesScoreZeroNotNaN()
    {
        Assert.Equal(RankingScores.Empty, RankingMetrics.Score([]));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1")]
    [InlineData(2, "2+")]
    [InlineData(13, "2+")]
    public void HistoryLengthsFallIntoThreeBuckets(int length, string bucket)
    {
        Assert.Equal(bucket, RankingMetrics.HistoryBucket(length));
    }

    [Fact]
    public void ANegativeHistoryLengthIsABug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.HistoryBucket(-1));
    }

    [Fact]
    public void TheBreakdownScoresEachHistoryBucketOnItsOwn()
    {
        RankedCase[] cases = [Hit(1, history: 0), Miss(history: 0), Hit(2, history: 1), Hit(1, history: 2), Hit(3, history: 7)];

        var report = RankingMetrics.Compute(cases);

        Assert.Equal(RankingMetrics.Score(cases), report.Overall);
        Assert.Equal(["0", "1", "2+"], report.ByHistory.Keys.Order(StringComparer.Ordinal));
        var cold = report.ByHistory["0"];
        Assert.Equal((2, 0.5, 0.5, 0.5), (cold.Count, cold.Top1, cold.Mrr, cold.Coverage));
        var one = report.ByHistory["1"];
        Assert.Equal((1, 0.0, 1.0, 0.5), (one.Count, one.Top1, one.Top3, one.Mrr));
        var longer = report.ByHistory["2+"];
        Assert.Equal(2, longer.Count);
        Assert.Equal(0.5, longer.Top1, Tolerance);
        Assert.Equal((1 + 1 / 3.0) / 2, longer.Mrr, Tolerance); // 0.6666...
        Assert.Equal((1 + 0.5) / 2, longer.Ndcg5, Tolerance);
    }

    [Fact]
    public void EveryBucketIsReportedEvenWhenEmpty()
    {
        var report = RankingMetrics.Compute([Hit(1, history: 0)]);

        Assert.Equal(RankingScores.Empty, report.ByHistory["1"]);
        Assert.Equal(RankingScores.Empty, report.ByHistory["2+"]);
        Assert.Equal(1, report.ByHistory["0"].Top1);
    }
}
