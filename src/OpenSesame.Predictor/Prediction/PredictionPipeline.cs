using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Audit;
using OpenSesame.Predictor.Guardrails.Destructive;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Storage;
using OpenSesame.Predictor.Telemetry;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// One prediction, end to end: the spec becomes a catalog, the history is resolved against it, and the
/// <see cref="CandidatePipeline"/> generates, critiques and ranks; the response carries the top k and how its language
/// model question was routed and what it cost, the cost ledger a line for it, the audit log a record of it, and the
/// outcome log its ranked candidates (with what the session's previous prediction turned out to be).
/// </summary>
public sealed partial class PredictionPipeline(
    SpecProvider specs,
    CandidatePipeline candidates,
    RankerExperiment rankers,
    SentenceEmbedder embedder,
    IAuditLog audit,
    RecordWriter recording,
    IPiiRedactor redactor,
    DestructiveCallPolicy destructive,
    PredictionAccounting accounting,
    UsageLearning usage,
    OutcomeRecorder outcomes,
    IOptions<PredictionOptions> options,
    IOptions<AuditOptions> auditOptions,
    TimeProvider time,
    ILogger<PredictionPipeline> logger)
{
    /// <exception cref="SpecException">The spec cannot be obtained or parsed.</exception>
    public async Task<PredictResponse> PredictAsync(PredictionRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var ranker = await rankers.ForAsync(request.UserId);
        var predictionId = Guid.CreateVersion7(time.GetUtcNow()).ToString();
        var verdict = request.Injection;
        if (verdict.Flagged)
        {
            logger.LogWarning("Prediction {PredictionId} reads as instructions to a language model ({Findings}); local models only.",
                predictionId, verdict.ToString());
        }

        using var specStage = PredictorTelemetry.Stage("spec", time);
        var spec = await specs.GetAsync(request.Spec, cancellationToken);
        var specTime = specStage.Stop();
        using var contextStage = PredictorTelemetry.Stage("context", time);
        var learned = await usage.ForAsync(spec.Catalog, request.Caller, request.UserId, cancellationToken);
        var context = PredictionContext.Create(spec.Catalog, request.Events, request.Prompt, time.GetUtcNow(),
            options.Value.SemanticRetrieval ? embedder : null, options.Value.DataFlow, destructive, verdict,
            new Requester(request.UserId, request.SessionId, request.MaxCostUsd), predictionId, learned);
        // The history's newest step is already made: counted before ranking, this very prediction uses it.
        await usage.RecordAsync(context, request.Caller);
        context.Trace.Stage("spec", specTime);
        context.Trace.Stage("context", contextStage.Stop());
        RankedPool pool;
        try
        {
            pool = await candidates.RankAsync(context, request.K, ranker, cancellationToken);
        }
        catch
        {
            // No answer (the client went away, a stage failed), but the questions already answered were paid for.
            await accounting.AccountAskedAsync(context);
            throw;
        }

        await accounting.EnsureAccountedAsync(context, pool.Features.Complexity, cancellationToken);

        var predictions = pool.Ranked.Take(request.K).Select(PredictionBody.From).ToList();
        var response = new PredictResponse(
            predictions,
            predictionId,
            ranker.Version,
            spec.FromCache,
            Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3),
            Math.Round(context.Trace.CostUsd, 8),
            PredictMetadata.From(context.Trace.Snapshot()),
            verdict.Flagged ? new InjectionBody(verdict.Fields, verdict.Rules, "local_only") : null);
        await RecordAsync(request, context, response);
        await outcomes.RecordServedAsync(context, pool.Ranked, predictions.Count, ranker.Version,
            UsageScopes.Caller(request.Caller));
        return response;
    }

    // The answer is worth more than its audit record: the write is queued, a failure reported by the queue.
    private async Task RecordAsync(PredictionRequest request, PredictionContext context, PredictResponse response)
    {
        if (!auditOptions.Value.Enabled)
        {
            return;
        }

        var prompt = context.Prompt is null ? null : redactor.RedactText(context.Prompt);
        var flags = new List<string>();
        if (prompt is { Found.Count: > 0 })
        {
            flags.Add("pii-redacted");
        }

        if (context.Injection.Flagged)
        {
            flags.AddRange(context.Injection.Rules.Select(rule => "injection:" + rule));
        }

        if (context.RemovalIntent)
        {
            flags.Add("removal-intent");
        }

        if (response.Predictions.Any(p => p.Destructive))
        {
            flags.Add("destructive-returned");
        }

        var record = new AuditRecord(time.GetUtcNow(), response.PredictionId, context.StoredUserId, request.SessionId,
            context.Catalog.ContentHash, prompt?.Text, [.. response.Predictions.Select(p => p.Endpoint)],
            response.ModelVersion, response.ProcessingTimeMs, response.CostUsd, flags);
        await recording.WriteAsync("audit", response.PredictionId, ct => audit.AppendAsync(record, ct));
    }
}
