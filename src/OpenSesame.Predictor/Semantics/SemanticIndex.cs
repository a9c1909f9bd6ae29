using System.Runtime.Intrinsics;
using OpenSesame.Predictor.Caching;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Semantics;

/// <summary>
/// One embedding per operation of a catalog (its summary, operationId words and path words), built once per catalog
/// on first use, and read from the embedder's store when an earlier process embedded the same document. Meaning-level
/// retrieval: "finish billing" finds "Finalize an invoice", "log my time" finds "Add worklog", where words alone do not
/// meet.
/// </summary>
internal sealed class SemanticIndex
{
    // Rows of similarities to the operations histories hold: every request scores the whole catalog against each of
    // its history's operations, and warm traffic names the same few again and again.
    private const int RememberedRows = 64;

    // The vectors of eight operations interleaved dimension by dimension (block b, dimension d, operation 8b + lane at
    // [(b * Dimensions + d) * 8 + lane]; the last block padded with zeros): one query is multiplied with eight operations
    // at once, each lane adding its products in the order a loop over one vector does, so every similarity is the same
    // float as SentenceEmbedder.Cosine gives.
    private const int Lanes = 8;
    private readonly float[] _blocks;
    private readonly int _count;
    private readonly LruCache<int, float[]> _rows = new(RememberedRows);

    internal SemanticIndex(float[][] vectors)
    {
        _count = vectors.Length;
        _blocks = new float[(_count + Lanes - 1) / Lanes * Lanes * SentenceEmbedder.Dimensions];
        for (var i = 0; i < _count; i++)
        {
            if (vectors[i].Length != SentenceEmbedder.Dimensions)
            {
                throw new ArgumentException($"Operation {i}'s vector has {vectors[i].Length} dimensions, not {SentenceEmbedder.Dimensions}.", nameof(vectors));
            }

            for (var d = 0; d < SentenceEmbedder.Dimensions; d++)
            {
                _blocks[(((i / Lanes * SentenceEmbedder.Dimensions) + d) * Lanes) + (i % Lanes)] = vectors[i][d];
            }
        }
    }

    /// <summary>What stored vectors are filed under besides the document's content hash: the model and the recipe.</summary>
    public static string Version { get; } = $"{SentenceEmbedder.Model};{TextRecipe}";

    /// <summary>A new index: from the store when it holds the document, else the model. The embedder keeps one per
    /// catalog (<see cref="SentenceEmbedder.IndexOf"/>).</summary>
    internal static SemanticIndex Build(EndpointCatalog catalog, SentenceEmbedder embedder) =>
        new(embedder.EmbedSet(catalog.ContentHash, Version, [.. catalog.Operations.Select(TextOf)]));

    /// <summary>
    /// Names the recipe of <see cref="TextOf"/>. Stored vectors are filed under it: change it with every change to
    /// <see cref="TextOf"/>, so that no process serves vectors of the old texts.
    /// </summary>
    public const string TextRecipe = "summary.operation-id.method-path/1";

    /// <summary>The text an operation is embedded from: what a person would read to know what it does.</summary>
    public static string TextOf(ApiOperation operation)
    {
        var path = string.Join(' ', operation.Path.Segments.Where(s => !PathShape.IsParameter(s)).SelectMany(Tokenizer.Words));
        var name = string.Join(' ', Tokenizer.Words(operation.OperationId));
        var summary = operation.Summary ?? FirstSentence(operation.Description) ?? "";
        return $"{summary}. {name}. {operation.Method.ToLowerInvariant()} {path}";
    }

    /// <summary>Cosine similarity of every operation of the catalog to operation <paramref name="b"/>, by
    /// <see cref="ApiOperation.Index"/>.</summary>
    public float[] SimilaritiesTo(int b)
    {
        if (_rows.TryGet(b, out var row))
        {
            return row;
        }

        var to = new float[SentenceEmbedder.Dimensions];
        for (var d = 0; d < to.Length; d++)
        {
            to[d] = _blocks[(((b / Lanes * SentenceEmbedder.Dimensions) + d) * Lanes) + (b % Lanes)];
        }

        return _rows.GetOrAdd(b, Similarities(to));
    }

    /// <summary>Operations indexed, one vector each.</summary>
    public int Count => _count;

    /// <summary>Cosine similarity of the prompt to every operation, by <see cref="ApiOperation.Index"/>.</summary>
    public float[] Similarities(float[] prompt)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(prompt.Length, SentenceEmbedder.Dimensions, nameof(prompt));
        var similarities = new float[_count];
        Span<float> lanes = stackalloc float[Lanes];
        for (var block = 0; block * Lanes < _count; block++)
        {
            var sums = Vector256<float>.Zero;
            var start = block * SentenceEmbedder.Dimensions * Lanes;
            for (var d = 0; d < SentenceEmbedder.Dimensions; d++)
            {
                // A multiply, then an add: each rounded as the scalar loop rounds them (no fused multiply-add).
                sums += Vector256.Create(prompt[d]) * Vector256.Create(_blocks, start + (d * Lanes));
            }

            sums.CopyTo(lanes);
            lanes[..Math.Min(Lanes, _count - (block * Lanes))].CopyTo(similarities.AsSpan(block * Lanes));
        }

        return similarities;
    }

    private static string? FirstSentence(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var end = text.IndexOfAny(['.', '\n']);
        var sentence = end > 0 ? text[..end] : text;
        return sentence.Length > 200 ? sentence[..200] : sentence;
    }
}
