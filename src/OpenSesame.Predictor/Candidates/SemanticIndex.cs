using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Candidates;

/// <summary>
/// One embedding per operation of a catalog (its summary, operationId words and path words), built once per catalog
/// on first use. Meaning-level retrieval: "finish billing" finds "Finalize an invoice", "log my time" finds "Add
/// worklog", where words alone do not meet.
/// </summary>
internal sealed class SemanticIndex
{
    private readonly float[][] _vectors;

    private SemanticIndex(EndpointCatalog catalog, SentenceEmbedder embedder)
    {
        _vectors = embedder.EmbedMany([.. catalog.Operations.Select(TextOf)]);
    }

    public static SemanticIndex For(EndpointCatalog catalog, SentenceEmbedder embedder) =>
        catalog.GetIndex(c => new SemanticIndex(c, embedder));

    /// <summary>The text an operation is embedded from: what a person would read to know what it does.</summary>
    public static string TextOf(ApiOperation operation)
    {
        var path = string.Join(' ', operation.Path.Segments.Where(s => !PathShape.IsParameter(s)).SelectMany(Tokenizer.Words));
        var name = string.Join(' ', Tokenizer.Words(operation.OperationId));
        var summary = operation.Summary ?? FirstSentence(operation.Description) ?? "";
        return $"{summary}. {name}. {operation.Method.ToLowerInvariant()} {path}";
    }

    /// <summary>Cosine similarity of two operations of the catalog, by <see cref="ApiOperation.Index"/>.</summary>
    public float Similarity(int a, int b) => SentenceEmbedder.Cosine(_vectors[a], _vectors[b]);

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
