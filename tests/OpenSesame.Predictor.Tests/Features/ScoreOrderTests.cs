using OpenSesame.Predictor.Features;

namespace OpenSesame.Predictor.Tests.Features;

public sealed class ScoreOrderTests
{
    // Ties, zeros of both signs, infinities, NaN, denormals and ordinary values, in many arrangements.
    private static readonly float[] Values =
        [0f, -0f, 1f, -1f, 0.5f, 0.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
         float.MaxValue, float.MinValue, 1e-20f, -1e-20f, 0.25f, 3f, 3f];

    public static TheoryData<int> Seeds => [.. Enumerable.Range(0, 20)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TheOrderIsLinqsDescendingOrderWithTiesByIndex(int seed)
    {
        var random = new Random(seed);
        var scores = Enumerable.Range(0, 1 + random.Next(300)).Select(_ => Values[random.Next(Values.Length)] * (random.Next(4) == 0 ? 2 : 1)).ToArray();

        Assert.Equal(Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i), ScoreOrder.Descending(scores));
        Assert.Equal(Enumerable.Range(0, scores.Length).Where(i => scores[i] > 0).OrderByDescending(i => scores[i]).ThenBy(i => i),
            ScoreOrder.Descending(scores, positiveOnly: true));
    }

    [Fact]
    public void RanksNumberTheOrderFromZero()
    {
        float[] scores = [0.2f, 0.9f, float.NaN, 0.9f, -1f];

        Assert.Equal([2, 0, 4, 1, 3], ScoreOrder.Ranks(scores));
        Assert.Empty(ScoreOrder.Descending([]));
    }
}
