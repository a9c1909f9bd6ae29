using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Destructive;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// Makes one prediction on a small built-in spec while the service starts, before it listens, so the first client
/// does not pay for compiling the code every prediction runs: the request's JSON read as the API reads a body (the spec
/// inline, hashed), validated and checked for personal data; the YAML and OpenAPI readers, the catalog, the shortlist,
/// the critic, the trees and the explainer; the answer written as JSON and the prompt redacted as for the audit line.
/// A process's first request on the Stripe spec spent 0.2–0.3 s in the stages after the spec's against 0.02–0.04 s
/// for the third new spec, and about 0.1 s with the prediction; reading the request and writing the answer as well
/// took a further 0.1 s off its wait (bench/first-requests.sh, docs/PERFORMANCE.md). The prediction is the local
/// pipeline's alone and leaves nothing behind: no language model is asked, nothing is recorded (no audit line, usage,
/// served prediction or cost), the spec is neither cached nor stored. The sentence encoder is not loaded: it held
/// about 300 MB from then on when that was tried (docs/PERFORMANCE.md), which a deployment that is never sent a prompt
/// does not need, and loading it at start made the first prompted request no faster. A small spec compiles only part
/// of what a large one uses, so some of the first request's extra time remains. The spec uses what real ones do: YAML,
/// path and query parameters, request bodies, component references and response schemas with nested and alternative
/// shapes.
/// </summary>
internal sealed partial class StartupWarmUp(IOptions<PredictionOptions> options, IRankerSource rankers,
    DestructiveCallPolicy destructive, InjectionDetector injection, PiiRequestGuard privacy, IPiiRedactor redactor,
    TimeProvider time, ILogger<StartupWarmUp> logger) : IHostedService
{
    internal const string Document = """
        openapi: 3.0.3
        info: { title: Warm-up, version: "1" }
        paths:
          /v1/orders:
            get:
              operationId: ListOrders
              summary: List orders
              parameters:
                - { name: limit, in: query, schema: { type: integer } }
                - { name: status, in: query, schema: { type: string, enum: [open, paid] } }
              responses:
                "200":
                  description: A page of orders
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          data: { type: array, items: { $ref: "#/components/schemas/Order" } }
            post:
              operationId: CreateOrder
              summary: Create an order
              requestBody:
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/Order" }
              responses:
                "200": { description: The order, content: { application/json: { schema: { $ref: "#/components/schemas/Order" } } } }
          /v1/orders/{order}/items/{item_id}:
            delete:
              operationId: DeleteOrderItem
              parameters:
                - { name: order, in: path, required: true, schema: { type: string } }
                - { name: item_id, in: path, required: true, schema: { type: string } }
              responses: { "204": { description: Deleted } }
        components:
          schemas:
            Order:
              type: object
              properties:
                id: { type: string }
                customer:
                  anyOf:
                    - { type: string }
                    - { $ref: "#/components/schemas/Customer" }
                items: { type: array, items: { allOf: [ { $ref: "#/components/schemas/Item" } ] } }
            Customer:
              type: object
              properties: { id: { type: string }, email: { type: string } }
            Item:
              type: object
              properties: { id: { type: string }, order: { type: string } }
        """;

    internal const string Prompt = "add an item to the open order";

    private static readonly string[] Calls = ["GET /v1/orders", "POST /v1/orders"];

    /// <summary>The body a client would send: two calls, the prompt and the spec inline as text, within the
    /// deployment's limits (fewer calls, no prompt), so that a deployment with tighter ones than these still warms up.</summary>
    internal static PredictRequest Body(PredictionOptions limits) => new()
    {
        Events = [.. Calls.Take(limits.MaxEvents).Select(call => new EventBody { Endpoint = call })],
        Prompt = Prompt.Length <= limits.MaxPromptLength ? Prompt : null,
        Spec = InlineSpec.FromText(Document),
        K = limits.DefaultK,
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.WarmUp)
        {
            return;
        }

        var started = time.GetTimestamp();
        try
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(Body(settings), ContractJson.Options);
            new PredictBodyScanner(settings).Observe(json);
            var errors = PredictRequestValidator.Validate(JsonSerializer.Deserialize<PredictRequest>(json, ContractJson.Options),
                settings, injection, out var request);
            if (request is null)
            {
                throw new InvalidOperationException("The warm-up's own request is invalid: " + string.Join("; ", errors.Keys));
            }

            privacy.Check(request);
            var document = request.Spec.Document!;
            var catalog = OpenApiCatalogParser.Parse(document.Text(), document.ContentHash);
            var context = PredictionContext.Create(catalog, request.Events, request.Prompt, time.GetUtcNow(), dataFlow: settings.DataFlow,
                destructive: destructive);
            var local = new CandidatePipeline([new LocalCandidateGenerator()], options, time);
            var pool = await local.RankAsync(context, request.K, rankers.Current, cancellationToken);
            var answer = new PredictResponse(
                [.. pool.Ranked.Take(request.K).Select(PredictionBody.From)],
                "warm-up", rankers.Current.Version, Cached: false, ProcessingTimeMs: 0, CostUsd: 0, PredictMetadata.From(context.Trace.Snapshot()));
            JsonSerializer.SerializeToUtf8Bytes(answer, ContractJson.Options);
            redactor.RedactText(Prompt);
            LogWarm(time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only the first request's speed is at stake; starting matters more.
            LogFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Warmed up: a prediction on a small built-in spec took {Milliseconds:0} ms.")]
    private partial void LogWarm(double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The start-up prediction failed; the first client's prediction will be slower.")]
    private partial void LogFailed(Exception exception);
}
