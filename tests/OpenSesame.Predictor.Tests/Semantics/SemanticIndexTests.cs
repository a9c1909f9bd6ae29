using OpenSesame.Predictor.Semantics;

namespace OpenSesame.Predictor.Tests.Semantics;

public sealed class SemanticIndexTests
{
    private static float[] RandomVector(Random random) =>
        [.. Enumerable.Range(0, SentenceEmbedder.Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1) / 19.6f)];

    // The features the model was trained on came from the one-vector-at-a-time dot product: not a bit may differ.
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(21)]
    [InlineData(744)]
    public void SimilaritiesAreExactlyTheDotProductsOfOneVectorAtATime(int operations)
    {
        var random = new Random(operations);
        var vectors = Enumerable.Range(0, operations).Select(_ => RandomVector(random)).ToArray();
        var index = new SemanticIndex(vectors);
        var query = RandomVector(random);

        Assert.Equal(operations, index.Count);
        Assert.Equal(vectors.Select(v => SentenceEmbedder.Cosine(query, v)), index.Similarities(query));
        var b = random.Next(operations);
        Assert.Equal(vectors.Select(a => SentenceEmbedder.Cosine(a, vectors[b])), index.SimilaritiesTo(b));
    }
}
