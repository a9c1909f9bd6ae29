using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Api;

internal static class PredictApi
{
    public static IEndpointRouteBuilder MapPredictApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/predict", PredictAsync)
            .RequireAuthorization(AccessPolicy.Predict)
            .RequireUserRateLimit()
            .WithName("Predict")
            .WithSummary("Predict the next API calls")
            .WithDescription("Given an OpenAPI spec, the user's recent calls and an optional prompt, returns the k calls "
                             + "the user is most likely to make next, with parameters, scores and reasons.")
            .Accepts<PredictRequest>("application/json")
            .Produces<PredictResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    private static async Task<IResult> PredictAsync(HttpRequest http, PredictionService predictions,
        IOptions<PredictionOptions> options, CancellationToken cancellationToken)
    {
        var (body, problem) = await ContractBody.ReadAsync<PredictRequest>(http, cancellationToken,
            new PredictBodyScanner(options.Value));
        if (problem is not null)
        {
            return problem;
        }

        return await predictions.PredictAsync(body, cancellationToken, Caller(http.HttpContext)) switch
        {
            PredictionOutcome.Answered answered => TypedResults.Json(answered.Response, ContractJson.Options),
            PredictionOutcome.Refused refused => TypedResults.ValidationProblem(refused.Errors, title: refused.Title),
            PredictionOutcome.SpecUnusable unusable => TypedResults.Problem(unusable.Reason, title: "The spec could not be used.",
                statusCode: StatusCodes.Status422UnprocessableEntity),
            var other => throw new UnreachableException($"Unknown prediction outcome {other}."),
        };
    }

    // An API key's owner is the tenant whose usage is learned as its own layer; without a key the client's address
    // tells callers apart, never the body's user_id, which anyone can change with every request.
    private static UsageCaller Caller(HttpContext http) => new(
        http.User.Identity is { AuthenticationType: ApiKeyAuthenticationHandler.SchemeName, Name: { } owner } ? owner : null,
        http.Connection.RemoteIpAddress?.ToString());
}
