using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Telemetry;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Predictor.Prediction;

/// <summary>How a prediction request ended: answered, refused for its fields, or refused for its spec. Hosts translate
/// each case into their transport (an HTTP status, an exit code) and nothing else.</summary>
public abstract record PredictionOutcome
{
    private PredictionOutcome()
    {
    }

    /// <summary>The prediction.</summary>
    public sealed record Answered(PredictResponse Response) : PredictionOutcome;

    /// <summary>The request was refused before any work: every bad field named, with what is wrong with it.</summary>
    /// <param name="Title">One sentence for all of them ("The request has invalid fields.").</param>
    public sealed record Refused(string Title, IDictionary<string, string[]> Errors) : PredictionOutcome;

    /// <summary>The spec could not be fetched or parsed.</summary>
    public sealed record SpecUnusable(string Reason) : PredictionOutcome;
}

/// <summary>
/// One prediction, for every host: <c>POST /predict</c>, <c>opensesame predict</c> and <c>opensesame simulate</c> send a
/// client's request here and get an outcome back. In order: the fields are validated and cleaned (and inspected for
/// instructions aimed at a model), personal data the deployment refuses is refused, then the pipeline predicts and
/// records (audit, cost ledger, learned usage). A spec that cannot be used is an outcome, not an exception. Each
/// request is one <c>predict</c> span and one count of <c>opensesame.predictions</c> by how it ended.
/// </summary>
public sealed class PredictionService(
    PredictionPipeline pipeline,
    PiiRequestGuard privacy,
    InjectionDetector injection,
    PredictorTelemetry telemetry,
    IOptions<PredictionOptions> options)
{
    /// <param name="caller">Who is asking (an API key's owner, else the client's address), for learned usage; the
    /// process itself when the host knows of neither.</param>
    public async Task<PredictionOutcome> PredictAsync(PredictRequest? body, CancellationToken cancellationToken, UsageCaller? caller = null)
    {
        using var activity = PredictorTelemetry.StartPrediction();
        PredictionOutcome outcome;
        try
        {
            outcome = await OutcomeOfAsync(body, caller, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            telemetry.Ended(activity, "cancelled");
            throw;
        }
        catch (Exception ex)
        {
            telemetry.Ended(activity, "failed", ex);
            throw;
        }

        switch (outcome)
        {
            case PredictionOutcome.Answered { Response: var response }:
                telemetry.Answered(activity, response.PredictionId, RouteOf(response.Metadata), response.Cached, response.CostUsd,
                    response.ProcessingTimeMs, response.Metadata.StagesMs);
                break;
            case PredictionOutcome.Refused:
                telemetry.Ended(activity, "refused");
                break;
            default:
                telemetry.Ended(activity, "spec_unusable");
                break;
        }

        return outcome;
    }

    // The catalog's name of the model that answered (a fallback's when the first failed), else the decision's.
    private static string RouteOf(PredictMetadata metadata) =>
        metadata.Route is { } route ? route.ActualModel ?? route.Model : "none";

    private async Task<PredictionOutcome> OutcomeOfAsync(PredictRequest? body, UsageCaller? caller, CancellationToken cancellationToken)
    {
        var errors = PredictRequestValidator.Validate(body, options.Value, injection, out var request);
        if (request is null)
        {
            return new PredictionOutcome.Refused(PredictRequestValidator.InvalidFieldsTitle, errors);
        }

        var refused = privacy.Check(request);
        if (refused.Count > 0)
        {
            return new PredictionOutcome.Refused("The request carries personal data this service refuses.", refused);
        }

        try
        {
            return new PredictionOutcome.Answered(await pipeline.PredictAsync(request with { Caller = caller ?? UsageCaller.Local }, cancellationToken));
        }
        catch (SpecException ex)
        {
            return new PredictionOutcome.SpecUnusable(ex.Message);
        }
    }
}
