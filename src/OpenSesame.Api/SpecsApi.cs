using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Api;

/// <summary>What a client needs to build a history before it predicts: the specs the service can read by path, and the
/// operations of a spec. The playground uses both; they need the <c>predict</c> role, like the prediction itself.</summary>
internal static class SpecsApi
{
    /// <summary>Listing the spec folders stops at this many specs, and looks at no more files than
    /// <see cref="MaxFilesLookedAt"/> per folder: a folder of real specs (../shared/evaldata) holds thousands of files.</summary>
    internal const int MaxSamples = 50;

    private const int MaxFilesLookedAt = 500;

    public static IEndpointRouteBuilder MapSpecsApi(this IEndpointRouteBuilder routes)
    {
        var specs = routes.MapGroup("/specs")
            .RequireAuthorization(AccessPolicy.Predict)
            .RequireUserRateLimit()
            .WithTags("Specs")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        specs.MapGet("/samples", ListSamples)
            .WithName("SpecSamples")
            .WithSummary("The OpenAPI documents in the service's spec folders")
            .WithDescription($"Up to {MaxSamples} OpenAPI/Swagger documents (.yaml, .yml, .json) found in the folders "
                             + "Specs:Folders names, each with the `spec_url` that /predict and /specs/operations accept.")
            .Produces<SpecSamples>();
        specs.MapPost("/operations", ListOperationsAsync)
            .WithName("SpecOperations")
            .WithSummary("The operations of a spec")
            .WithDescription("Loads a spec as /predict does (`spec_url` or inline `spec`, exactly one; cached the same "
                             + "way) and lists its operations as /predict names them (`METHOD /path/{template}`), with "
                             + "what the predictor infers of each: kind, destructive, parameters.")
            .Accepts<SpecOperationsRequest>("application/json")
            .Produces<SpecOperations>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    private static JsonHttpResult<SpecSamples> ListSamples(IOptions<SpecOptions> options)
    {
        var samples = new List<SpecSample>();
        foreach (var folder in options.Value.Folders.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Where(Directory.Exists))
        {
            var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                .Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json")
                .Take(MaxFilesLookedAt)
                .Order(StringComparer.Ordinal);
            foreach (var file in files.Where(LooksLikeOpenApi))
            {
                if (samples.Count == MaxSamples)
                {
                    return TypedResults.Json(new SpecSamples(samples), ContractJson.Options);
                }

                // Relative to the working directory, as spec_url paths are read; a folder outside it gets a path with
                // "..", which still resolves inside the folder.
                var url = Path.GetRelativePath(Environment.CurrentDirectory, file).Replace('\\', '/');
                samples.Add(new SpecSample(Path.GetRelativePath(folder, file).Replace('\\', '/'), url));
            }
        }

        return TypedResults.Json(new SpecSamples(samples), ContractJson.Options);
    }

    // The first kilobytes name the version ("openapi: 3.0.3", "swagger": "2.0") in every document seen; a request or
    // events file next to the specs does not.
    private static bool LooksLikeOpenApi(string file)
    {
        try
        {
            using var reader = new StreamReader(file);
            var head = new char[4096];
            var read = reader.ReadBlock(head);
            var text = head.AsSpan(0, read);
            return text.Contains("openapi", StringComparison.Ordinal) || text.Contains("swagger", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<IResult> ListOperationsAsync(HttpRequest http, SpecProvider specs, CancellationToken cancellationToken)
    {
        var (body, problem) = await ContractBody.ReadAsync<SpecOperationsRequest>(http, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var source = PredictRequestValidator.SpecSourceOf(body?.SpecUrl, body?.Spec, (field, message) => errors[field] = [message]);
        if (source is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The request has invalid fields.");
        }

        EndpointCatalog catalog;
        try
        {
            catalog = (await specs.GetAsync(source, cancellationToken)).Catalog;
        }
        catch (SpecException ex)
        {
            return TypedResults.Problem(ex.Message, title: "The spec could not be used.", statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        return TypedResults.Json(new SpecOperations(catalog.Title, catalog.Version, catalog.ContentHash,
            [.. catalog.Operations.Select(SpecOperation.Of)]), ContractJson.Options);
    }
}

/// <summary>A spec by <c>spec_url</c> (http(s) URL or a path inside the spec folders) or inline as <c>spec</c>.</summary>
internal sealed class SpecOperationsRequest
{
    public string? SpecUrl { get; set; }

    /// <summary>The OpenAPI document: a JSON object, or its JSON/YAML text.</summary>
    public InlineSpec? Spec { get; set; }
}

internal sealed record SpecSamples(IReadOnlyList<SpecSample> Specs);

/// <param name="Name">The file's path inside its spec folder.</param>
/// <param name="SpecUrl">What to send as <c>spec_url</c>.</param>
internal sealed record SpecSample(string Name, string SpecUrl);

/// <param name="SpecHash">The content hash the service knows the spec by (as in /admin/usage).</param>
internal sealed record SpecOperations(string Title, string Version, string SpecHash, IReadOnlyList<SpecOperation> Operations);

/// <param name="Endpoint">"METHOD /path/{template}", as predictions name it and events may.</param>
/// <param name="Kind">list, search, read, create, update, delete or action.</param>
/// <param name="Destructive">Suggested only when the prompt asks for removal.</param>
internal sealed record SpecOperation(string Endpoint, string? OperationId, string? Summary, string Kind, bool Destructive,
    bool Deprecated, IReadOnlyList<string> Tags, IReadOnlyList<SpecParameter> Parameters)
{
    public static SpecOperation Of(ApiOperation operation) => new(operation.Key, operation.OperationId, operation.Summary,
        operation.Kind.ToString().ToLowerInvariant(), operation.IsDestructive, operation.Deprecated, operation.Tags,
        [.. operation.Parameters.Select(p => new SpecParameter(p.Name, p.In.ToString().ToLowerInvariant(), p.Required, p.Type))]);
}

/// <param name="In">path, query, header, cookie or body.</param>
/// <param name="Type">JSON schema type names joined by '|', null when the spec gives none.</param>
internal sealed record SpecParameter(string Name, string In, bool Required, string? Type);
