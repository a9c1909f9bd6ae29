using Microsoft.OpenApi;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Reads which identifiers a successful response hands back, from its JSON schema: a bare <c>id</c> belongs to the
/// object that holds it (named by its schema, by the property that holds it, or by the operation's resource), and a
/// <c>customer_id</c> or <c>customerId</c> field names its entity itself. This is the "produces" half of the spec's
/// data-flow graph. One walker serves one document, and reads each schema object of it once.
/// </summary>
internal sealed class ResponseSchemaWalker
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

    // Shared component schemas are reached from hundreds of operations (Stripe: every expandable field of every
    // object), and each read of a referencing schema resolves its reference again (microseconds each); splitting the
    // same property names again cost as much. The document does not change while it is walked.
    private readonly Dictionary<IOpenApiSchema, Schema> _schemas = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, PropertyName> _names = new(StringComparer.Ordinal);

    public IReadOnlyList<string> EntitiesOf(OpenApiResponses? responses, string? operationResource)
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
        Walk(SchemaOf(schema), operationResource, 0, entities, ref budget);
        return [.. entities.Order(StringComparer.Ordinal)];
    }

    private static IOpenApiSchema? JsonSchemaOf(IOpenApiResponse? response) =>
        response?.Content?
            .Where(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase) || c.Key == "*/*")
            .Select(c => c.Value.Schema)
            .FirstOrDefault(s => s is not null);

    private void Walk(Schema schema, string? owner, int depth, HashSet<string> entities, ref int budget)
    {
        if (depth > MaxDepth || --budget < 0)
        {
            return;
        }

        var entity = schema.Entity ?? owner;
        foreach (var member in MembersOf(schema))
        {
            if (ItemsOf(member) is { } items)
            {
                Walk(items, entity, depth + 1, entities, ref budget);
            }

            foreach (var (name, property) in PropertiesOf(member))
            {
                if (name.IsOwnId)
                {
                    if (entity is not null)
                    {
                        entities.Add(entity);
                    }
                }
                else if (name.NamedId is { } named)
                {
                    entities.Add(named);
                }
                else if (property is not null && IsContainer(property))
                {
                    // "results" and "data" wrap the owner's items; "customer" holds a customer.
                    Walk(property, name.Entity ?? entity, depth + 1, entities, ref budget);
                }
            }
        }
    }

    private Schema SchemaOf(IOpenApiSchema source)
    {
        if (!_schemas.TryGetValue(source, out var schema))
        {
            schema = new Schema(source);
            _schemas[source] = schema;
        }

        return schema;
    }

    private Schema[] MembersOf(Schema schema) =>
        schema.Members ??= [schema, .. (schema.AllOf ?? []).Select(SchemaOf), .. (schema.OneOf ?? []).Select(SchemaOf),
            .. (schema.AnyOf ?? []).Select(SchemaOf)];

    private Schema? ItemsOf(Schema schema) => schema.Items is { } items ? SchemaOf(items) : null;

    private (PropertyName Name, Schema? Property)[] PropertiesOf(Schema schema) =>
        schema.NamedProperties ??= [.. (schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            .Select(p => (NameOf(p.Key), p.Value is null ? null : SchemaOf(p.Value)))];

    private static bool IsContainer(Schema schema) =>
        schema.IsContainer ??= schema.Properties is { Count: > 0 } || schema.Items is not null
                               || schema.AllOf is { Count: > 0 } || schema.OneOf is { Count: > 0 } || schema.AnyOf is { Count: > 0 };

    private PropertyName NameOf(string name)
    {
        if (_names.TryGetValue(name, out var known))
        {
            return known;
        }

        var words = Tokenizer.Words(name);
        known = words.Count == 1 && words[0] is "id" or "uuid" ? new PropertyName(true, null, null)
            : words.Count > 1 && words[^1] is "id" or "ids" or "uuid" ? new PropertyName(false, Tokenizer.Stem(string.Join('_', words.Take(words.Count - 1))), null)
            : new PropertyName(false, null, EntityOfName(name));
        _names[name] = known;
        return known;
    }

    /// <summary>The entity a schema or property name means, without its shape words; null when only shape is left.</summary>
    public static string? EntityOfName(string? name)
    {
        var words = Tokenizer.Words(name).Where(w => !ShapeWords.Contains(w) && !char.IsDigit(w[0])).ToList();
        return words.Count == 0 ? null : Tokenizer.Stem(string.Join('_', words));
    }

    /// <summary>What a property name says: a bare id of its owner, an id of the entity it names, or else the entity
    /// the object it holds belongs to, if it names one.</summary>
    private sealed record PropertyName(bool IsOwnId, string? NamedId, string? Entity);

    /// <summary>
    /// One schema object of the document as the walk reads it. Each member is read from the document when the walk
    /// first needs it and kept, so a reading that fails (a reference that does not resolve) fails where it did when
    /// every visit read the document again.
    /// </summary>
    private sealed class Schema(IOpenApiSchema source)
    {
        private Read<IList<IOpenApiSchema>?> _allOf;
        private Read<IList<IOpenApiSchema>?> _oneOf;
        private Read<IList<IOpenApiSchema>?> _anyOf;
        private Read<IOpenApiSchema?> _items;
        private Read<IDictionary<string, IOpenApiSchema>?> _properties;
        private Read<string?> _entity;

        public IList<IOpenApiSchema>? AllOf => _allOf.Get(source, static s => s.AllOf);
        public IList<IOpenApiSchema>? OneOf => _oneOf.Get(source, static s => s.OneOf);
        public IList<IOpenApiSchema>? AnyOf => _anyOf.Get(source, static s => s.AnyOf);
        public IOpenApiSchema? Items => _items.Get(source, static s => s.Items);
        public IDictionary<string, IOpenApiSchema>? Properties => _properties.Get(source, static s => s.Properties);

        /// <summary>The entity the schema's component name means ("movie-list-object" → movie).</summary>
        public string? Entity => _entity.Get(source, static s =>
            EntityOfName(s is OpenApiSchemaReference reference ? reference.Reference.Id?.Split('/')[^1] : null));

        public Schema[]? Members { get; set; }
        public (PropertyName Name, Schema? Property)[]? NamedProperties { get; set; }
        public bool? IsContainer { get; set; }
    }

    private struct Read<T>
    {
        private bool _done;
        private T _value;

        public T Get(IOpenApiSchema source, Func<IOpenApiSchema, T> read)
        {
            if (!_done)
            {
                _value = read(source);
                _done = true;
            }

            return _value;
        }
    }
}
