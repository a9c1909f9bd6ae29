using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Api;

/// <summary>Operator routes under <c>/admin</c>: every one needs the <c>admin</c> role and counts against the rate limit.</summary>
internal static class AdminApi
{
    // Training metrics may be NaN (a calibration set without a positive); the contract's options would throw on them.
    private static readonly JsonSerializerOptions Json = new(ContractJson.Options)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin")
            .RequireAuthorization(AccessPolicy.Admin)
            .RequireUserRateLimit()
            .WithTags("Admin")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        admin.MapGet("/model", GetModel)
            .WithName("AdminModel")
            .WithSummary("The ranker serving now and what it was trained on")
            .WithDescription("Which ranker answers predictions (a learned model version, or the heuristic while none is "
                             + "loaded), the version saved as current on disk (swapped in within the reload interval "
                             + "when it differs), and the serving model's training metadata and measured quality.");
        return routes;
    }

    private static JsonHttpResult<ModelStatus> GetModel(IRankerSource rankers, RankerModelStore store)
    {
        var model = rankers.CurrentModel;
        return TypedResults.Json(new ModelStatus(
            rankers.Current.Version,
            model is null ? "heuristic" : "learned",
            store.CurrentVersion(),
            model), Json);
    }

    /// <param name="Serving">The <c>model_version</c> predictions report now.</param>
    /// <param name="Kind">"learned" or "heuristic".</param>
    /// <param name="Current">The version named current on disk; null when no model was ever saved.</param>
    /// <param name="Model">The serving model's metadata (data hash, seed, domains, calibration metrics); null for the heuristic.</param>
    internal sealed record ModelStatus(string Serving, string Kind, string? Current, RankerModelInfo? Model);
}
