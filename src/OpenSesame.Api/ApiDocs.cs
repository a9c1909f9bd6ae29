using Microsoft.OpenApi;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Prediction;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace OpenSesame.Api;

internal static class ApiDocs
{
    /// <summary>Problem details (RFC 7807) for every error, including the ones no handler wrote.</summary>
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services) => services
        .AddProblemDetails()
        // A query value that does not bind (?top=ten) is the client's error in every environment; in Development the
        // framework would throw instead, and the exception handler would answer 500.
        .Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddEndpointsApiExplorer().AddSwaggerGen(options =>
            {
                options.SwaggerDoc("v1", new() { Title = "OpenSesame Predictor", Version = "v1" });

                // Client generators (openapi-typescript) make a property optional unless `required` says otherwise, and
                // a reference type nullable unless `nullable` is exact: both come from the code's annotations.
                options.SupportNonNullableReferenceTypes();
                options.SchemaFilter<ApiDocsFilters.AnswersAreRequired>();

                // Read by its own converter: on the wire it is any JSON value, not the class that holds its bytes.
                options.MapType<OpenSesame.Predictor.Specs.InlineSpec>(() => new OpenApiSchema
                {
                    Description = "The OpenAPI document itself: a JSON object, or its JSON/YAML text as a string.",
                });
                options.AddSecurityDefinition(ApiDocsFilters.ApiKeyScheme, new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyAuthenticationHandler.ApiKeyHeader,
                    Description = "An API key (`opensesame keys new`). Not needed while no keys are configured and the service listens on loopback only.",
                });
                options.AddSecurityDefinition(ApiDocsFilters.BearerScheme, new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The same API key as `Authorization: Bearer <key>`.",
                });
                options.OperationFilter<ApiDocsFilters.KeysAndRoles>();
                options.DocumentFilter<ApiDocsFilters.HealthRoutes>();
            })
            // The routes write their JSON with the contract's options (snake_case), not the framework's (camelCase),
            // which Swashbuckle would otherwise describe.
            .AddSingleton<ISerializerDataContractResolver>(new JsonSerializerDataContractResolver(ContractJson.Options));

    /// <summary>The service's own OpenAPI document at /openapi/v1.json and a docs page at /docs (assets served locally).</summary>
    public static IApplicationBuilder MapApiDocs(this WebApplication app)
    {
        app.UseSwagger(options => options.RouteTemplate = "openapi/{documentName}.json");
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "docs";
            options.SwaggerEndpoint("/openapi/v1.json", "OpenSesame Predictor v1");
        });
        app.MapGet("/", () => TypedResults.Redirect(Playground.Path + "/")).ExcludeFromDescription().AllowAnonymous();
        app.MapGet(Playground.DashboardPath, () => TypedResults.Redirect(Playground.Path + "/dashboard.html")).ExcludeFromDescription().AllowAnonymous();
        return app;
    }
}
