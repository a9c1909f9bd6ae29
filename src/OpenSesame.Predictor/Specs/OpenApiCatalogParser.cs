using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace OpenSesame.Predictor.Specs;

/// <summary>Parses OpenAPI 2.0, 3.0 and 3.1 documents, JSON or YAML, into an <see cref="EndpointCatalog"/>.</summary>
public static partial class OpenApiCatalogParser
{
    private static readonly OpenApiReaderSettings Settings = CreateSettings();

    // Chars encoded per step of HashOf.
    private const int HashChunk = 16 * 1024;

    /// <summary>SHA-256 of the document's UTF-8 bytes, in lower-case hex.</summary>
    public static string HashOf(string content)
    {
        // Encoded a chunk at a time into one pooled buffer: an inline spec of megabytes, hashed on every request that
        // sends it, would otherwise be copied whole once more. The encoder carries a surrogate pair split between chunks
        // over, so the bytes are those of Encoding.UTF8.GetBytes.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var encoder = Encoding.UTF8.GetEncoder();
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(HashChunk));
        try
        {
            var rest = content.AsSpan();
            do
            {
                var chunk = rest[..Math.Min(HashChunk, rest.Length)];
                rest = rest[chunk.Length..];
                sha.AppendData(buffer, 0, encoder.GetBytes(chunk, buffer, flush: rest.IsEmpty));
            }
            while (!rest.IsEmpty);

            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>SHA-256 of a document's UTF-8 bytes, in lower-case hex: for valid UTF-8, what
    /// <see cref="HashOf(string)"/> gives for its text.</summary>
    public static string HashOf(ReadOnlySpan<byte> utf8) => Convert.ToHexStringLower(SHA256.HashData(utf8));

    private static readonly SpecOptions DefaultLimits = new();

    /// <summary>Parses with the default limits of <see cref="SpecOptions"/> and no time budget.</summary>
    /// <exception cref="SpecException">The text is not an OpenAPI document with at least one operation.</exception>
    public static EndpointCatalog Parse(string content, string? contentHash = null) =>
        Parse(content, DefaultLimits, contentHash, CancellationToken.None);

    /// <summary>Parses within the limits of <paramref name="limits"/> (references, reference chains, operations); the
    /// caller's token stops the work between stages and operations, which is how a time budget is kept.</summary>
    /// <exception cref="SpecException">The text is not an OpenAPI document with at least one operation, or passes a limit.</exception>
    public static EndpointCatalog Parse(string content, SpecOptions limits, string? contentHash, CancellationToken cancellationToken)
    {
        var trimmed = content.AsSpan().TrimStart();
        if (trimmed.IsEmpty)
        {
            throw new SpecException("The spec is empty.");
        }

        if (!LooksLikeOpenApi(content))
        {
            throw new SpecException("The document is not an OpenAPI or Swagger spec: it has no 'openapi' or 'swagger' version field.");
        }

        // Counted in the text, before the parser builds an object for each of them.
        var references = content.AsSpan().Count("$ref");
        if (references > limits.MaxReferences)
        {
            throw new SpecException($"The spec holds {references} $ref references; at most {limits.MaxReferences} are accepted (Specs:MaxReferences).");
        }

        var format = trimmed[0] is '{' or '[' ? "json" : "yaml";
        ReadResult result;
        try
        {
            result = OpenApiDocument.Parse(content, format, Settings);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new SpecException($"The spec could not be parsed as {format.ToUpperInvariant()}: {ex.Message}", ex);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var document = result.Document;
        if (document?.Paths is null || document.Paths.Count == 0)
        {
            var reason = result.Diagnostic?.Errors.FirstOrDefault()?.Message ?? "it has no paths";
            throw new SpecException($"The spec has no usable operations: {reason}.");
        }

        var declared = document.Paths.Values.Sum(item => item?.Operations?.Count ?? 0);
        if (declared > limits.MaxOperations)
        {
            throw new SpecException($"The spec declares {declared} operations; at most {limits.MaxOperations} are accepted (Specs:MaxOperations).");
        }

        ReferenceChains.Check(document.Components, limits.MaxReferenceDepth);
        List<ApiOperation> operations;
        try
        {
            operations = ReadOperations(document, cancellationToken);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException or SpecException))
        {
            // References the chain check cannot see (into paths, or across kinds) fail here, when they are resolved.
            throw new SpecException($"The spec's references cannot be resolved: {ex.Message}", ex);
        }

        if (operations.Count == 0)
        {
            throw new SpecException("The spec declares paths but no operations.");
        }

        return new EndpointCatalog(
            document.Info?.Title ?? "untitled",
            document.Info?.Version ?? "",
            contentHash ?? HashOf(content),
            operations,
            BasePathsOf(document));
    }

    private static OpenApiReaderSettings CreateSettings()
    {
        // No validation rules: the catalog needs none of their findings, and they resolve every reference from the
        // start of its chain, which made a chain of n schema references cost n² (20,000 links: minutes of CPU).
        var settings = new OpenApiReaderSettings { RuleSet = ValidationRuleSet.GetEmptyRuleSet() };
        settings.AddYamlReader();
        return settings;
    }

    // A cheap guard before the full parse: an HTML error page or a JSON API reply must fail with a clear reason.
    private static bool LooksLikeOpenApi(string content) => VersionField().IsMatch(content);

    // A top-level-looking "openapi:"/"swagger:" key in YAML (keys may be sorted, so anywhere), or "openapi": in JSON.
    [GeneratedRegex("""(?m)^['"]?(openapi|swagger)['"]?\s*:|"(openapi|swagger)"\s*:""")]
    private static partial Regex VersionField();

    private static List<ApiOperation> ReadOperations(OpenApiDocument document, CancellationToken cancellationToken)
    {
        var operations = new List<ApiOperation>();
        var responses = new ResponseSchemaWalker();
        foreach (var (path, item) in document.Paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (item?.Operations is null)
            {
                continue;
            }

            var shape = PathShape.Parse(path);
            foreach (var (httpMethod, operation) in item.Operations)
            {
                var method = httpMethod.Method.ToUpperInvariant();
                var (kind, destructive) = OperationClassifier.Classify(method, shape, operation.OperationId, operation.Summary);
                operations.Add(new ApiOperation
                {
                    Index = operations.Count,
                    Method = method,
                    PathTemplate = path,
                    OperationId = operation.OperationId,
                    Summary = operation.Summary,
                    Description = Truncate(operation.Description, 1000),
                    Tags = operation.Tags?.Select(t => t.Name).OfType<string>().ToList() ?? [],
                    Parameters = ReadParameters(item.Parameters, operation),
                    Deprecated = operation.Deprecated,
                    ResponseEntities = responses.EntitiesOf(operation.Responses, shape.MainResource),
                    Path = shape,
                    Kind = kind,
                    IsDestructive = destructive,
                });
            }
        }

        return operations;
    }

    private static List<ApiParameter> ReadParameters(IList<IOpenApiParameter>? pathLevel, OpenApiOperation operation)
    {
        var parameters = new List<ApiParameter>();
        var seen = new HashSet<(string, ParameterLocation)>();

        // Operation-level parameters override path-level ones with the same name and location.
        foreach (var parameter in (operation.Parameters ?? []).Concat(pathLevel ?? []))
        {
            if (parameter?.Name is null || parameter.In is null)
            {
                continue;
            }

            var location = parameter.In switch
            {
                Microsoft.OpenApi.ParameterLocation.Path => ParameterLocation.Path,
                Microsoft.OpenApi.ParameterLocation.Header => ParameterLocation.Header,
                Microsoft.OpenApi.ParameterLocation.Cookie => ParameterLocation.Cookie,
                _ => ParameterLocation.Query,
            };
            if (seen.Add((parameter.Name, location)))
            {
                parameters.Add(new ApiParameter(parameter.Name, location, parameter.Required || location == ParameterLocation.Path,
                    TypeName(parameter.Schema), Truncate(parameter.Description, 300), EnumOf(parameter.Schema)));
            }
        }

        foreach (var field in BodyFields(operation.RequestBody))
        {
            if (seen.Add((field.Name, ParameterLocation.Body)))
            {
                parameters.Add(field);
            }
        }

        return parameters;
    }

    // Top-level fields of the JSON or form body (allOf members merged); nested objects stay one field.
    private static IEnumerable<ApiParameter> BodyFields(IOpenApiRequestBody? body)
    {
        var media = body?.Content?
            .OrderBy(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase) ? 0 : c.Key.Contains("form", StringComparison.OrdinalIgnoreCase) ? 1 : 2)
            .Select(c => c.Value)
            .FirstOrDefault();
        if (media?.Schema is not { } schema)
        {
            yield break;
        }

        var members = new List<IOpenApiSchema> { schema };
        members.AddRange(schema.AllOf ?? []);
        foreach (var member in members)
        {
            if (member.Properties is null)
            {
                continue;
            }

            foreach (var (name, property) in member.Properties)
            {
                var required = (member.Required?.Contains(name) ?? false) || (schema.Required?.Contains(name) ?? false);
                yield return new ApiParameter(name, ParameterLocation.Body, required, TypeName(property),
                    Truncate(property?.Description, 300), EnumOf(property));
            }
        }
    }

    private static string? TypeName(IOpenApiSchema? schema)
    {
        if (schema?.Type is not { } type)
        {
            return null;
        }

        var names = Enum.GetValues<JsonSchemaType>().Where(t => t != JsonSchemaType.Null && type.HasFlag(t));
        return string.Join('|', names).ToLowerInvariant() is { Length: > 0 } joined ? joined : null;
    }

    // Enum values as the text a client would send; a null member (nullable enums list one) is no value to send.
    private static List<string>? EnumOf(IOpenApiSchema? schema)
    {
        var values = schema?.Enum?
            .Where(v => v is not null && v.GetValueKind() != JsonValueKind.Null)
            .Select(v => v!.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return values is { Count: > 0 } ? values : null;
    }

    private static List<string> BasePathsOf(OpenApiDocument document)
    {
        var basePaths = new List<string>();
        foreach (var server in document.Servers ?? [])
        {
            var url = server.Url ?? "";
            var path = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : url;
            path = "/" + path.Trim('/');
            if (path != "/" && !path.Contains('{', StringComparison.Ordinal) && !basePaths.Contains(path))
            {
                basePaths.Add(path);
            }
        }

        return basePaths;
    }

    private static string? Truncate(string? text, int max) =>
        text is null || text.Length <= max ? text : text[..max];
}
