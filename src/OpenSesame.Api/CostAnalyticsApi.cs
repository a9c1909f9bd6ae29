using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Api;

/// <summary><c>GET /cost-analytics</c>: where the money goes, for operators (the <c>admin</c> role).</summary>
internal static class CostAnalyticsApi
{
    public static IEndpointRouteBuilder MapCostAnalyticsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/cost-analytics", GetAsync)
            .RequireAuthorization(AccessPolicy.Admin)
            .RequireUserRateLimit()
            .WithTags("Admin")
            .WithName("CostAnalytics")
            .WithSummary("Spend today, this month and per prediction, per model, user and session")
            .WithDescription("The cost ledger summed up, in US dollars: spend today and this month (UTC), the projected "
                             + "month end, the number of predictions and cache hits, the cost per prediction (mean and "
                             + "95th percentile), spend per model, the top users and sessions of the month, the daily "
                             + "spend of the last 30 days and the last 7 days against the 7 before. `top` (1-100, "
                             + "default 10) is how many users and sessions are listed.")
            // A top that is not a number fails binding before the handler runs; the framework would answer a bare
            // "Bad Request". Binding failures set 400 before filters run, so this one can name the field instead.
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Response.StatusCode == StatusCodes.Status400BadRequest
                    ? TopProblem(context.HttpContext.Request.Query["top"].ToString())
                    : await next(context))
            .Produces<CostReport>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return routes;
    }

    // The attributes only describe the parameter in the OpenAPI document; nothing enforces them, the range is checked
    // here.
    private static async Task<Results<JsonHttpResult<CostReport>, ValidationProblem>> GetAsync(
        ICostLedger ledger,
        TimeProvider time,
        [Range(1, CostAnalytics.MaxTop), DefaultValue(CostAnalytics.DefaultTop)] int? top,
        CancellationToken cancellationToken)
    {
        var count = top ?? CostAnalytics.DefaultTop;
        if (count is < 1 or > CostAnalytics.MaxTop)
        {
            return TopProblem(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var report = await CostAnalytics.ComputeAsync(ledger, time.GetUtcNow(), count, cancellationToken);
        return TypedResults.Json(report, ContractJson.Options);
    }

    private static ValidationProblem TopProblem(string value) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]>
        {
            ["top"] = [$"top must be a whole number from 1 to {CostAnalytics.MaxTop}; it was '{(value.Length > 20 ? value[..20] + "…" : value)}'."],
        },
        title: "The query has invalid parameters.");
}
