using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using OpenSesame.Predictor.Prediction;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace OpenSesame.Api;

/// <summary>What the OpenAPI document says beyond what the routes' metadata gives Swashbuckle.</summary>
internal static class ApiDocsFilters
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    /// <summary>Answers are records written with the contract's options: every property is written on every answer,
    /// null or not, except those left out when null (<c>injection</c>), and is null only where its type says so.
    /// Requests are classes with optional setters and stay all optional.</summary>
    internal sealed class AnswersAreRequired : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema { Properties.Count: > 0 } concrete || !IsRecord(context.Type))
            {
                return;
            }

            var omitted = context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition is JsonIgnoreCondition.WhenWritingNull
                    or JsonIgnoreCondition.WhenWritingDefault)
                .Select(p => ContractJson.Options.PropertyNamingPolicy!.ConvertName(p.Name))
                .ToHashSet(StringComparer.Ordinal);
            concrete.Required ??= new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in concrete.Properties.Keys.Where(name => !omitted.Contains(name)))
            {
                concrete.Required.Add(name);
            }

            // Swashbuckle marks every reference type nullable here, whatever the record's annotations say.
            var nullability = new NullabilityInfoContext();
            foreach (var property in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var name = ContractJson.Options.PropertyNamingPolicy!.ConvertName(property.Name);
                if (!concrete.Properties.TryGetValue(name, out var described) || property.PropertyType.IsValueType)
                {
                    continue;
                }

                var notNull = nullability.Create(property).ReadState == NullabilityState.NotNull;
                if (described is OpenApiSchema { Type: { } type } inline && notNull)
                {
                    inline.Type = type & ~JsonSchemaType.Null;
                }
                else if (described is OpenApiSchemaReference reference && !notNull && !omitted.Contains(name))
                {
                    // A $ref cannot say nullable beside it (OpenAPI 3.0 ignores siblings of $ref); a null route must
                    // not be typed as an object.
                    concrete.Properties[name] = new OpenApiSchema { AllOf = [reference], Type = JsonSchemaType.Null };
                }
            }
        }

        private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null;
    }

    /// <summary>Routes that need a role say so: the key's two headers as security requirements (either one), the role
    /// in the description, and 401/403 already documented by the routes.</summary>
    internal sealed class KeysAndRoles : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAllowAnonymous>().Any())
            {
                return;
            }

            var roles = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
            if (roles.Count == 0)
            {
                return;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            var needs = $"Needs an API key with the role `{string.Join("` or `", roles)}` (none while no keys are configured).";
            operation.Description = string.IsNullOrEmpty(operation.Description) ? needs : operation.Description + "\n\n" + needs;
        }
    }

    /// <summary>The health checks are endpoints of their own kind, which the API explorer does not see; orchestrators
    /// and clients call them all the same.</summary>
    internal sealed class HealthRoutes : IDocumentFilter
    {
        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
        {
            swaggerDoc.Paths ??= [];
            swaggerDoc.Paths["/health/live"] = Health("HealthLive", "The process answers",
                "200 `Healthy` while the process runs; no check is made. Open to anyone.");
            swaggerDoc.Paths["/health/ready"] = Health("HealthReady", "The service may be sent traffic",
                "200 `Healthy` or `Degraded` (predictions are answered, but what they record is late or was lost, or "
                + "Redis does not answer and limits are counted per instance) once storage answers; 503 `Unhealthy` "
                + "otherwise. When not healthy, each line after the status names a check and what it found. Open to anyone.");
        }

        private static OpenApiPathItem Health(string id, string summary, string description) => new()
        {
            Operations = new()
            {
                [HttpMethod.Get] = new OpenApiOperation
                {
                    OperationId = id,
                    Summary = summary,
                    Description = description,
                    Tags = new HashSet<OpenApiTagReference> { new("Health") },
                    Responses = new()
                    {
                        ["200"] = Text("Healthy or Degraded", "Healthy", "Degraded"),
                        ["503"] = Text("Unhealthy", "Unhealthy"),
                    },
                },
            },
        };

        private static OpenApiResponse Text(string description, params string[] values) => new()
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                ["text/plain"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Enum = [.. values.Select(v => (System.Text.Json.Nodes.JsonNode)v)],
                    },
                },
            },
        };
    }
}
