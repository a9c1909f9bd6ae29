using System.Text.Json.Serialization;

namespace OpenSesame.Predictor.Routing;

/// <summary>What the router is asked to decide.</summary>
/// <param name="CountedTokens">The conversation's cl100k token count (<see cref="TokenEstimator.CountTokens(IEnumerable{Microsoft.Extensions.AI.ChatMessage})"/>).</param>
/// <param name="Complexity">The request's complexity score, 0–1 (<see cref="ComplexityScorer"/>).</param>
internal sealed record RouteRequest(int CountedTokens, double Complexity)
{
    /// <summary>The most the caller will pay for this prediction (<c>max_cost_usd</c>); none by default.</summary>
    public decimal? MaxCostUsd { get; init; }

    /// <summary>The providers that can serve now (those with a key, circuits closed); null means every provider of
    /// the catalog. The local model is always available.</summary>
    public IReadOnlyCollection<string>? Providers { get; init; }

    /// <summary>Only models that answer reliably in JSON.</summary>
    public bool RequiresStructuredOutput { get; init; }

    /// <summary>False for a user outside the router's rollout (<see cref="LlmRollout.CostRouting"/>): the cheapest model
    /// meeting the quality floor, without escalating complex requests or degrading before the budget is spent; the
    /// cost caps and local-only at 100 % still hold.</summary>
    public bool Adaptive { get; init; } = true;
}

/// <summary>The machine-readable reasons of a <see cref="RouteDecision"/>: the last rule that changed the choice.</summary>
public static class RouteReasons
{
    /// <summary>The cheapest model whose quality reaches the floor.</summary>
    public const string CheapestMeetingQualityFloor = "cheapest_meeting_quality_floor";

    /// <summary>A complex request, sent to the best model while the budget allows.</summary>
    public const string ComplexQueryEscalated = "complex_query_escalated";

    /// <summary>The budget passed the degrade level: one tier below the usual choice.</summary>
    public const string BudgetDegraded = "budget_degraded";

    /// <summary>The estimate was above the per-prediction threshold: a cheaper model.</summary>
    public const string OverPredictionThreshold = "over_prediction_threshold";

    /// <summary>The estimate was above the request's <c>max_cost_usd</c>: a cheaper model.</summary>
    public const string RequestCostCap = "request_cost_cap";

    /// <summary>The estimate was above what is left of the budget: a cheaper model.</summary>
    public const string BudgetRemaining = "budget_remaining";

    /// <summary>The budget is spent: local only.</summary>
    public const string BudgetExhausted = "budget_exhausted";

    /// <summary>No model of an available provider reaches the quality floor: local.</summary>
    public const string BelowQualityFloor = "below_quality_floor";

    /// <summary>The user is outside the rollout of LLM candidates (<see cref="LlmRollout"/>): local.</summary>
    public const string RolloutExcluded = "rollout_excluded";

    /// <summary>No provider can serve (no key, or all excluded): local.</summary>
    public const string NoProvider = "no_provider";

    /// <summary>The request reads as instructions to a language model, so no model may see it: local. Decided before
    /// the router is asked.</summary>
    public const string InjectionFlagged = "injection_flagged";

    /// <summary>An identical question was answered within the cache's time to live: the cached answer, no call, no
    /// cost. No routing decision was made.</summary>
    public const string CacheHit = "cache_hit";
}

/// <summary>
/// The router's choice for one prediction, explained: which model, why (a code and a sentence), what it was expected
/// to cost and, once the question is settled (<see cref="RoutePricer"/>), what it did cost. Serialized into the
/// response metadata as <c>route</c> (snake_case).
/// </summary>
public sealed record RouteDecision
{
    /// <summary>The catalog name of the chosen model (a <c>Routing:Models</c> key).</summary>
    public required string Model { get; init; }

    /// <summary>The provider's model id to call.</summary>
    public required string ModelId { get; init; }

    /// <summary>"anthropic", "openai" or "local".</summary>
    public required string Provider { get; init; }

    /// <summary>One of <see cref="RouteReasons"/>.</summary>
    public required string Reason { get; init; }

    /// <summary>The rules that applied, in order, as sentences.</summary>
    public required string Explanation { get; init; }

    public double Complexity { get; init; }

    /// <summary>The fuller of the monthly and daily budgets, in percent, when the decision was made.</summary>
    public double BudgetUsedPercent { get; init; }

    public long EstimatedInputTokens { get; init; }

    public long EstimatedOutputTokens { get; init; }

    public decimal EstimatedCostUsd { get; init; }

    /// <summary>The catalog name of the model to try if the chosen provider fails: the cheapest of another provider
    /// that meets the quality floor and the same cost limits; null when there is none or the choice is local.</summary>
    public string? Fallback { get; init; }

    /// <summary>Filled after the call: the model that answered (the fallback, if the chosen one failed).</summary>
    public string? ActualModel { get; init; }

    public long? ActualInputTokens { get; init; }

    public long? ActualOutputTokens { get; init; }

    /// <summary>Filled after the call from the provider's usage report; zero for a cache hit or a local answer.</summary>
    public decimal? ActualCostUsd { get; init; }

    public bool CacheHit { get; init; }

    /// <summary>The cl100k count the estimate started from, kept to learn the model's token ratio afterwards.</summary>
    [JsonIgnore]
    public int CountedTokens { get; init; }

    [JsonIgnore]
    public bool IsLocal => Provider == RoutingOptions.Local;
}
