using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Storage;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Benchmarks;

/// <summary>
/// The semantic index of a spec on its first use in a process that finds the spec's operation vectors in SQLite,
/// as a restarted service does: one row read, the blob decoded, the vectors checked against the operations' texts.
/// Every call reads the database again (nothing is kept in memory between calls), and the setup fails if the model
/// ran instead.
/// </summary>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes in [GlobalCleanup].")]
public class EmbeddingStoreBenchmarks
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "opensesame-bench", Guid.NewGuid().ToString("n"));
    private EndpointCatalog? _catalog;
    private SentenceEmbedder? _embedder;

    [Params("stripe", "github")]
    public string Spec { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var store = new SqliteEmbeddingStore(new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _dataDirectory })));
        _catalog = OpenApiCatalogParser.Parse(File.ReadAllText(SharedSpecs.PathOf(Spec)));
        using (var earlierProcess = new SentenceEmbedder(store))
        {
            SemanticIndex.Build(_catalog, earlierProcess);
        }

        _embedder = new SentenceEmbedder(store);
        if (SemanticIndex.Build(_catalog, _embedder).Count != _catalog.Operations.Count || _embedder.EncodedTexts != 0)
        {
            throw new InvalidOperationException("The warm path ran the model: the stored vectors were not used.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _embedder?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Benchmark]
    public int WarmLoadFromSqlite() => SemanticIndex.Build(_catalog!, _embedder!).Count;
}

/// <summary>
/// What the first use of a spec costs when nothing is stored: MiniLM over the text of every GitHub operation (744),
/// in batches on one encoder per core. Seconds per call, so few iterations; reported, not a target.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10)]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes in [GlobalCleanup].")]
public class ColdEmbeddingBenchmarks
{
    private EndpointCatalog? _catalog;
    private SentenceEmbedder? _embedder;

    [GlobalSetup]
    public void Setup()
    {
        _catalog = OpenApiCatalogParser.Parse(File.ReadAllText(SharedSpecs.PathOf("github")));
        _embedder = new SentenceEmbedder();
    }

    [GlobalCleanup]
    public void Cleanup() => _embedder?.Dispose();

    // Without a store the operations' texts bypass every cache, so each call runs the model over all of them.
    [Benchmark]
    public int EmbedAllGitHubOperations() => SemanticIndex.Build(_catalog!, _embedder!).Count;
}
