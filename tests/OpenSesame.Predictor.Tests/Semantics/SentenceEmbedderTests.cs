using OpenSesame.Predictor.Semantics;

namespace OpenSesame.Predictor.Tests.Semantics;

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

    // The model session is shared by the callers running at once; sharing must not mix their texts up.
    [Fact]
    public async Task CallersAtTheSameTimeGetTheVectorsOneCallerAloneGets()
    {
        var texts = Enumerable.Range(0, 48).Select(i => $"operation {i}: list the invoices of customer {i * 7}").ToArray();
        using var alone = new SentenceEmbedder();
        var expected = texts.Select(alone.Embed).ToArray();

        using var shared = new SentenceEmbedder();
        var batches = await Task.WhenAll(Enumerable.Range(0, 4).Select(part => Task.Run(
            () => shared.EmbedMany([.. texts.Where((_, i) => i % 4 == part)]), TestContext.Current.CancellationToken)));

        for (var part = 0; part < 4; part++)
        {
            var indexes = Enumerable.Range(0, texts.Length).Where(i => i % 4 == part).ToArray();
            for (var n = 0; n < indexes.Length; n++)
            {
                Assert.Equal(expected[indexes[n]], batches[part][n]);
            }
        }
    }
}
