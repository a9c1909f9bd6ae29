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

    private readonly float[][] _vectors;
    private readonly LruCache<int, float[]> _rows = new(RememberedRows);

    private SemanticIndex(float[][] vectors) => _vectors = vectors;

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

        var to = _vectors[b];
        return _rows.GetOrAdd(b, [.. _vectors.Select(a => SentenceEmbedder.Cosine(a, to))]);
    }

    /// <summary>Operations indexed, one vector each.</summary>
    public int Count => _vectors.Length;

    /// <summary>Cosine similarity of the prompt to every operation, by <see cref="ApiOperation.Index"/>.</summary>
    public float[] Similarities(float[] prompt) => [.. _vectors.Select(v => SentenceEmbedder.Cosine(prompt, v))];

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
