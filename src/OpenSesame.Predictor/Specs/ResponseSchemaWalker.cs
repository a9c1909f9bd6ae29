using Microsoft.OpenApi;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Reads which identifiers a successful response hands back, from its JSON schema: a bare <c>id</c> belongs to the
/// object that holds it (named by its schema, by the property that holds it, or by the operation's resource), and a
/// <c>customer_id</c> or <c>customerId</c> field names its entity itself. This is the "produces" half of the spec's
/// data-flow graph.
/// </summary>
internal static class ResponseSchemaWalker
{
    // Bounds for specs with huge, recursive schemas (GitHub's responses nest repositories in users in repositories).
    private const int MaxDepth = 4;
    private const int MaxSchemasPerOperation = 200;

    // Words of schema and property names that describe the shape, not the thing ("movie-list-object" → movie).
    private static readonly HashSet<string> ShapeWords =
    [
        "list", "object", "response", "result", "results", "item", "items", "schema", "model", "dto", "data", "page",
        "paginated", "summary", "full", "simple", "detail", "details", "minimal", "base", "public",
        "private", "nullable", "entry", "entries", "record", "records", "value", "values", "hits", "body", "payload",
        "envelope", "wrapper", "output", "resource", "resources", "node", "nodes", "edge", "edges",
    ];

    public static IReadOnlyList<string> EntitiesOf(OpenApiResponses? responses, string? operationResource)
    {
        var schema = responses?
            .Where(r => r.Key.StartsWith('2'))
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => JsonSchemaOf(r.Value))
            .FirstOrDefault(s => s is not null);
        if (schema is null)
        {
            return [];
        }

        var entities = new HashSet<string>(StringComparer.Ordinal);
        var budget = MaxSchemasPerOperation;
        Walk(schema, operationResource, 0, entities, ref budget);
        return [.. entities.Order(StringComparer.Ordinal)];
    }

    private static IOpenApiSchema? JsonSchemaOf(IOpenApiResponse? response) =>
        response?.Content?
            .Where(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase) || c.Key == "*/*")
            .Select(c => c.Value.Schema)
            .FirstOrDefault(s => s is not null);

    private static void Walk(IOpenApiSchema schema, string? owner, int depth, HashSet<string> entities, ref int budget)
    {
        if (depth > MaxDepth || --budget < 0)
        {
            return;
        }

        var entity = EntityOfName(ReferenceName(schema)) ?? owner;
        var members = new List<IOpenApiSchema> { schema };
        members.AddRange(schema.AllOf ?? []);
        members.AddRange(schema.OneOf ?? []);
        members.AddRange(schema.AnyOf ?? []);
        foreach (var member in members)
        {
            if (member.Items is { } items)
            {
                Walk(items, entity, depth + 1, entities, ref budget);
            }

            foreach (var (name, property) in member.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                var words = Tokenizer.Words(name);
                if (words.Count == 1 && words[0] is "id" or "uuid")
                {
                    if (entity is not null)
                    {
                        entities.Add(entity);
                    }
                }
                else if (words.Count > 1 && words[^1] is "id" or "ids" or "uuid")
                {
                    entities.Add(Tokenizer.Stem(string.Join('_', words.Take(words.Count - 1))));
                }
                else if (property is not null && IsContainer(property))
                {
                    // "results" and "data" wrap the owner's items; "customer" holds a customer.
                    Walk(property, EntityOfName(name) ?? entity, depth + 1, entities, ref budget);
                }
            }
        }
    }

    private static bool IsContainer(IOpenApiSchema schema) =>
        schema.Properties is { Count: > 0 } || schema.Items is not null
        || schema.AllOf is { Count: > 0 } || schema.OneOf is { Count: > 0 } || schema.AnyOf is { Count: > 0 };

    private static string? ReferenceName(IOpenApiSchema schema) =>
        schema is OpenApiSchemaReference reference ? reference.Reference.Id?.Split('/')[^1] : null;

    /// <summary>The entity a schema or property name means, without its shape words; null when only shape is left.</summary>
    public static string? EntityOfName(string? name)
    {
        var words = Tokenizer.Words(name).Where(w => !ShapeWords.Contains(w) && !char.IsDigit(w[0])).ToList();
        return words.Count == 0 ? null : Tokenizer.Stem(string.Join('_', words));
    }
}
