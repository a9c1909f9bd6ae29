using OpenSesame.Predictor.Semantics;

namespace OpenSesame.Predictor.Tests.Candidates;

public sealed class SentenceEmbedderTests
{
    [Fact]
    public void ForgetsTheLeastRecentlyUsedPromptFirst()
    {
        using var embedder = new SentenceEmbedder(cacheCapacity: 2);
        embedder.Embed("list my invoices");
        embedder.Embed("refund the payment");
        embedder.Embed("list my invoices");

        embedder.Embed("send the invoice");
        Assert.Equal(3, embedder.EncodedTexts);

        embedder.Embed("list my invoices");
        Assert.Equal(3, embedder.EncodedTexts);
        embedder.Embed("refund the payment");
        Assert.Equal(4, embedder.EncodedTexts);
    }

    [Fact]
    public void ACachedPromptIsTheSameVectorAsAFreshOne()
    {
        using var embedder = new SentenceEmbedder(cacheCapacity: 1);
        var first = embedder.Embed("finish billing for Q2");
        embedder.Embed("something else");

        var again = embedder.Embed("finish billing for Q2");

        Assert.Equal(2 + 1, embedder.EncodedTexts);
        Assert.Equal(1, SentenceEmbedder.Cosine(first, again), 4);
    }
}
