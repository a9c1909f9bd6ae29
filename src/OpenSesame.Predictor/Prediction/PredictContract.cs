using System.Text.Json;
using System.Text.Json.Serialization;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Prediction;

/// <summary>The JSON settings of the wire contract (snake_case), shared by the API and the CLI's <c>--json</c>.</summary>
public static class ContractJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,

        // A property named twice in one object, at any depth, is refused: a reader that keeps the first and one that
        // keeps the last (the rate limiter and the endpoint) would see two different callers.
        AllowDuplicateProperties = false,
    };
}

/// <summary>Body of <c>POST /predict</c>.</summary>
public sealed class PredictRequest
{
    public string? UserId { get; set; }
    public string? SessionId { get; set; }
    public List<EventBody?>? Events { get; set; }
    public string? Prompt { get; set; }

    /// <summary>http(s) URL, or a path inside the configured spec folders.</summary>
    public string? SpecUrl { get; set; }

    /// <summary>The OpenAPI document itself: a JSON object, or its JSON/YAML text as a string.</summary>
    public InlineSpec? Spec { get; set; }

    public int? K { get; set; }

    /// <summary>The most this prediction may spend on language models, in US dollars (≥ 0); a model whose estimate is
    /// above it gives way to a cheaper one, or to the local generator alone. Optional.</summary>
    public decimal? MaxCostUsd { get; set; }
}

/// <summary>One recent call: <c>"GET /invoices"</c> or <c>"PUT /invoices/123/status"</c>, when, and its params.</summary>
public sealed class EventBody
{
    public DateTimeOffset? Ts { get; set; }
    public string? Endpoint { get; set; }
    public Dictionary<string, JsonElement>? Params { get; set; }
}

/// <summary>Body of a successful <c>POST /predict</c> answer.</summary>
/// <param name="Cached">The spec was served from cache: no download and no parse were needed.</param>
/// <param name="CostUsd">What language-model calls cost for this prediction (0 on the local path).</param>
/// <param name="Metadata">Which generators contributed, every language-model call with its tokens and cost, and the
/// milliseconds of each stage.</param>
/// <param name="Injection">Present only when the prompt or events read as instructions aimed at a language model.</param>
public sealed record PredictResponse(
    IReadOnlyList<PredictionBody> Predictions,
    string PredictionId,
    string ModelVersion,
    bool Cached,
    double ProcessingTimeMs,
    decimal CostUsd,
    PredictMetadata Metadata,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InjectionBody? Injection = null);

/// <summary>Why a request was answered by local models only: the fields and the rules they matched, never their text.</summary>
/// <param name="Fields">"prompt", "events[1].params.note", ...</param>
/// <param name="Rules">"ignore-instructions", "role-marker", "evasion:base64", ...</param>
/// <param name="Action">"local_only": no language model saw the request.</param>
public sealed record InjectionBody(IReadOnlyList<string> Fields, IReadOnlyList<string> Rules, string Action);

/// <param name="Endpoint">"METHOD /template" exactly as the spec spells the operation.</param>
/// <param name="Params">Path, query and body parameters: values from history or prompt, null when required but unknown.</param>
/// <param name="Score">Probability-like score in [0, 1]; non-increasing down the list.</param>
/// <param name="Why">The main reasons, in words.</param>
/// <param name="Source">Who proposed it: "local", "llm", or "local+llm" when both did.</param>
/// <param name="Destructive">The call deletes, voids, cancels or revokes something.</param>
public sealed record PredictionBody(
    string Endpoint,
    IReadOnlyDictionary<string, object?> Params,
    double Score,
    string Why,
    string Source,
    bool Destructive)
{
    /// <summary>A ranked candidate as the answer shows it, its score to four places.</summary>
    public static PredictionBody From(ScoredCandidate candidate) => new(candidate.Operation.Key, candidate.Params,
        Math.Round(candidate.Score, 4), candidate.Why, candidate.Source, candidate.Destructive);
}

/// <summary>How a prediction was made: the <c>metadata</c> object of a <c>/predict</c> answer.</summary>
/// <param name="Generators">Generators whose candidates joined the pool: "local", "llm".</param>
/// <param name="LlmCalls">Every language-model call, in order (a fallback shows as a second call).</param>
/// <param name="StagesMs">Milliseconds per stage: spec, context, generate (which includes shortlist: the request's
/// features and the local ordering of the spec, then generate.local / generate.llm, which overlap), critique, rank, and
/// review when a review ran.</param>
/// <param name="Route">Which model (or none) served the prediction's question and why, with the estimate before and
/// the actual model, tokens and cost after; a review's question, when there is one, shows in <c>llm_calls</c> and
/// <c>cost_usd</c>.</param>
/// <param name="CacheHit">The question was answered from the response cache: no model call, no cost.</param>
public sealed record PredictMetadata(
    IReadOnlyList<string> Generators,
    IReadOnlyList<LlmCallTrace> LlmCalls,
    IReadOnlyDictionary<string, double> StagesMs,
    RouteDecision? Route = null,
    bool CacheHit = false)
{
    /// <summary>The metadata of a prediction whose trace this is.</summary>
    public static PredictMetadata From(TraceSnapshot trace) => new(
        trace.Generators,
        trace.LlmCalls,
        trace.StagesMs,
        trace.Routes.Count > 0 ? trace.Routes[0] : null,
        trace.Routes.Count > 0 && trace.Routes[0].CacheHit);
}
