using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Testing;

namespace OpenSesame.Predictor.Tests.Semantics;

/// <summary>
/// With background indexing (the service's default) a request never waits for its spec's operation vectors: the first
/// one on a spec is answered without them, and one worker builds them, one spec at a time, for the requests after it.
/// </summary>
public sealed class BackgroundIndexingTests
{
    private static readonly string BillingText = File.ReadAllText(TestSpecs.BillingPath);

    private static int OperationCount => TestSpecs.Billing.Operations.Count;

    // A comment changes the content hash: to the service, another spec.
    private static EndpointCatalog NewSpec(int variant = 0) => OpenApiCatalogParser.Parse(BillingText + $"\n# variant {variant}\n");

    // The sample spec is small enough to be embedded inline by default; these tests treat it as a large one.
    private static SentenceEmbedder Background(int maxQueued = 8, int maxOperations = 10_000, int inline = 0) =>
        new(cacheCapacity: 16, options: new SemanticOptions
        {
            MaxQueuedIndexes = maxQueued,
            MaxIndexedOperations = maxOperations,
            InlineIndexOperations = inline,
        });

    [Fact]
    public async Task TheFirstRequestOnASpecGetsNoVectorsAndALaterOneGetsThemAllWithoutEmbeddingAgain()
    {
        using var embedder = Background();
        var catalog = NewSpec();

        Assert.Null(embedder.ReadyIndexOf(catalog));
        await embedder.IdleAsync(TestContext.Current.CancellationToken);

        Assert.Equal(OperationCount, embedder.ReadyIndexOf(catalog)?.Count);
        Assert.Equal(OperationCount, embedder.ReadyIndexOf(catalog)?.Count);
        Assert.Equal(OperationCount, embedder.EncodedTexts);
    }

    [Fact]
    public async Task ConcurrentFirstRequestsOnOneSpecEmbedItOnce()
    {
        using var embedder = Background();
        var catalog = NewSpec();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => embedder.ReadyIndexOf(catalog), TestContext.Current.CancellationToken)));
        await embedder.IdleAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(embedder.ReadyIndexOf(catalog));
        Assert.Equal(OperationCount, embedder.EncodedTexts);
    }

    [Fact]
    public async Task ASpecThatFoundTheQueueFullIsQueuedAgainByItsNextRequest()
    {
        using var embedder = Background(maxQueued: 1);
        var specs = Enumerable.Range(0, 4).Select(NewSpec).ToList();

        // One building and one waiting at most: some of these find the queue full.
        specs.ForEach(spec => embedder.ReadyIndexOf(spec));
        await embedder.IdleAsync(TestContext.Current.CancellationToken);
        Assert.InRange(embedder.EncodedTexts, OperationCount, 3 * OperationCount);

        foreach (var spec in specs)
        {
            if (embedder.ReadyIndexOf(spec) is null)
            {
                await embedder.IdleAsync(TestContext.Current.CancellationToken);
            }
        }

        Assert.All(specs, spec => Assert.NotNull(embedder.ReadyIndexOf(spec)));
        Assert.Equal(specs.Count * OperationCount, embedder.EncodedTexts);
    }

    [Fact]
    public async Task ASpecWithMoreOperationsThanTheLimitIsNeverEmbedded()
    {
        using var embedder = Background(maxOperations: OperationCount - 1);
        var catalog = NewSpec();

        Assert.Null(embedder.ReadyIndexOf(catalog));
        await embedder.IdleAsync(TestContext.Current.CancellationToken);

        Assert.Null(embedder.ReadyIndexOf(catalog));
        Assert.Equal(0, embedder.EncodedTexts);
    }

    [Fact]
    public void ASpecWithNoMoreOperationsThanTheInlineLimitGetsItsVectorsOnTheFirstRequest()
    {
        using var embedder = Background(inline: OperationCount);
        using var larger = Background(inline: OperationCount - 1);

        Assert.Equal(OperationCount, embedder.ReadyIndexOf(NewSpec())?.Count);
        Assert.Null(larger.ReadyIndexOf(NewSpec()));
    }

    [Fact]
    public void WithoutOptionsARequestWaitsForItsSpecsVectors()
    {
        using var embedder = new SentenceEmbedder();

        Assert.Equal(OperationCount, embedder.ReadyIndexOf(NewSpec())?.Count);
    }

    [Fact]
    public async Task TheServiceAnswersTheFirstPredictionOnASpecAndBuildsItsVectorsForTheNext()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?>
        {
            ["Semantics:BackgroundIndexing"] = "true",
            ["Semantics:InlineIndexOperations"] = "0",
        });
        var embedder = predictor.Get<SentenceEmbedder>();

        var first = await predictor.PredictAsync(TestSpecs.BillingPath, "finish billing for Q2", 3, "GET /v1/invoices");
        await embedder.IdleAsync(TestContext.Current.CancellationToken);
        var encoded = embedder.EncodedTexts;
        var second = await predictor.PredictAsync(TestSpecs.BillingPath, "finish billing for Q2", 3, "GET /v1/invoices");

        Assert.Equal(3, first.Predictions.Count);
        Assert.Equal(3, second.Predictions.Count);
        Assert.InRange(encoded, OperationCount, OperationCount + 1);
        // The second request embedded its prompt and nothing else: the operations' vectors were ready.
        Assert.Equal(OperationCount + 1, embedder.EncodedTexts);
    }
}
