using Microsoft.Extensions.Logging;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Semantics;

/// <summary>
/// Operation vectors survive a restart through SQLite. Each "process" is a new embedder over the same database (the
/// model's encoders and every in-memory cache start empty) and a newly parsed catalog of the same document.
/// </summary>
public sealed class SemanticIndexStoreTests : IDisposable
{
    private static readonly string BillingText = File.ReadAllText(TestSpecs.BillingPath);
    private readonly EmbeddingDatabase _db = new();
    private readonly ListLogger<SentenceEmbedder> _log = new();

    private static EndpointCatalog FreshCatalog() => OpenApiCatalogParser.Parse(BillingText);

    private static int OperationCount => TestSpecs.Billing.Operations.Count;

    private SentenceEmbedder NewProcess() => new(_db.Store, _log);

    private static float[] Similarities(SentenceEmbedder embedder, EndpointCatalog catalog, string prompt) =>
        embedder.IndexOf(catalog).Similarities(embedder.Embed(prompt));

    public void Dispose() => _db.Dispose();

    [Fact]
    public void ASecondProcessLoadsTheVectorsOfAKnownDocumentWithoutRunningTheModel()
    {
        using var first = NewProcess();
        var before = Similarities(first, FreshCatalog(), "finish billing for Q2");
        Assert.Equal(OperationCount + 1, first.EncodedTexts);

        using var second = NewProcess();
        var index = second.IndexOf(FreshCatalog());

        Assert.Equal(0, second.EncodedTexts);
        Assert.Equal(before, index.Similarities(second.Embed("finish billing for Q2")));
        Assert.Empty(_log.At(LogLevel.Warning));
    }

    [Fact]
    public async Task VectorsFiledUnderAnotherVersionAreNotReadAndTheDocumentIsEmbeddedAgain()
    {
        using (var first = NewProcess())
        {
            first.IndexOf(FreshCatalog());
        }

        // What a process wrote before the text recipe or the model changed.
        await _db.ExecuteAsync("UPDATE operation_embeddings SET version = 'minilm-0;older-recipe/0'");
        using var second = NewProcess();
        second.IndexOf(FreshCatalog());

        Assert.Equal(OperationCount, second.EncodedTexts);
        Assert.Equal(2, await _db.CountRowsAsync());
    }

    [Theory]
    [InlineData("a short blob", "UPDATE operation_embeddings SET vectors = substr(vectors, 1, 1000)")]
    [InlineData("zeros of the right size", "UPDATE operation_embeddings SET vectors = zeroblob(length(vectors))")]
    [InlineData("vectors of other texts", "UPDATE operation_embeddings SET texts_hash = 'the texts of an older parser'")]
    [InlineData("one vector too few", "UPDATE operation_embeddings SET count = count - 1, vectors = substr(vectors, 1, length(vectors) - 1536)")]
    public async Task UnusableStoredVectorsAreEmbeddedAgainAndRepaired(string damage, string sql)
    {
        using (var first = NewProcess())
        {
            first.IndexOf(FreshCatalog());
        }

        await _db.ExecuteAsync(sql);
        using var second = NewProcess();
        var similarities = Similarities(second, FreshCatalog(), "refund the customer's payment");
        using var third = NewProcess();
        third.IndexOf(FreshCatalog());

        Assert.True(second.EncodedTexts == OperationCount + 1, $"{damage} was served as the document's vectors.");
        Assert.Equal(OperationCount, similarities.Length);
        Assert.Single(_log.At(LogLevel.Warning));
        Assert.Equal(0, third.EncodedTexts);
    }

    [Fact]
    public async Task AFailingStoreIsLoggedAndThePredictionStillGetsItsIndex()
    {
        await _db.ExecuteAsync("DROP TABLE operation_embeddings");
        using var embedder = NewProcess();

        var similarities = Similarities(embedder, FreshCatalog(), "refund the customer's payment");

        Assert.Equal(OperationCount, similarities.Length);
        Assert.Equal(2, _log.At(LogLevel.Warning).Count());
        Assert.Contains(_log.At(LogLevel.Warning), m => m.StartsWith("Cannot read", StringComparison.Ordinal));
        Assert.Contains(_log.At(LogLevel.Warning), m => m.StartsWith("Cannot store", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConcurrentFirstUsesOfOneDocumentEmbedItOnce()
    {
        using var embedder = NewProcess();
        using var start = new Barrier(4);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var catalog = FreshCatalog();
            start.SignalAndWait(TestContext.Current.CancellationToken);
            return embedder.IndexOf(catalog);
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(OperationCount, embedder.EncodedTexts);
        Assert.Equal(1, await _db.CountRowsAsync());
    }

    [Fact]
    public async Task ARestartedServiceReadsOperationVectorsFromItsDatabase()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "opensesame-tests", Guid.NewGuid().ToString("n"));
        var settings = new Dictionary<string, string?> { ["Storage:DataDirectory"] = dataDirectory };
        try
        {
            using (var before = new TestPredictor(settings))
            {
                await before.PredictAsync(TestSpecs.BillingPath, "finish billing for Q2", 3, "GET /v1/invoices");
            }

            using var after = new TestPredictor(settings);
            var response = await after.PredictAsync(TestSpecs.BillingPath, "finish billing for Q2", 3, "GET /v1/invoices");

            Assert.Equal(3, response.Predictions.Count);
            Assert.Equal(1, after.Get<SentenceEmbedder>().EncodedTexts);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void WithoutAStoreEveryNewCatalogIsEmbeddedInMemory()
    {
        using var embedder = new SentenceEmbedder();

        embedder.IndexOf(FreshCatalog());
        embedder.IndexOf(FreshCatalog());

        Assert.Equal(2 * OperationCount, embedder.EncodedTexts);
    }

    [Fact]
    public void TheStoredVersionNamesTheModelAndTheTextRecipe()
    {
        Assert.StartsWith("minilm-", SemanticIndex.Version, StringComparison.Ordinal);
        Assert.EndsWith(SemanticIndex.TextRecipe, SemanticIndex.Version, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0.0.0", SentenceEmbedder.Model, StringComparison.Ordinal);
    }
}
