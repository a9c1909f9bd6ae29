using Microsoft.Extensions.Logging;

namespace OpenSesame.Predictor.Routing;

/// <summary>What one question actually used, as the chat-client chain saw it.</summary>
internal sealed record RouteUsage
{
    /// <summary>The catalog name of the model that answered, when not the chosen one: the fallback did, or none did
    /// and the local model serves.</summary>
    public string? Model { get; init; }

    /// <summary>Input tokens, as the provider's usage report gives them; null when it gave none.</summary>
    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    /// <summary>Answered from the cache: no call, no cost.</summary>
    public bool CacheHit { get; init; }
}

/// <summary>
/// Prices a question when the chat-client chain settles it: the model that answered and the tokens its provider
/// reported, at the routing catalog's prices; a cache hit and the local model cost nothing. The priced decision is
/// recorded on the prediction's trace, where the response's cost and a review's cost cap read it at once. Nothing here
/// writes the cost ledger: that is <see cref="CostRecorder"/>'s, once the prediction's questions are done.
/// </summary>
internal sealed partial class RoutePricer(RoutingSettings settings, ILogger<RoutePricer> logger)
{
    /// <summary>The decision with its actual model, tokens, cost and cache hit filled in.</summary>
    public RouteDecision Price(RouteDecision decision, RouteUsage usage)
    {
        var name = usage.Model ?? decision.Model;
        return decision with
        {
            ActualModel = name,
            ActualInputTokens = usage.InputTokens,
            ActualOutputTokens = usage.OutputTokens,
            ActualCostUsd = Cost(decision, name, usage),
            CacheHit = usage.CacheHit,
        };
    }

    private decimal Cost(RouteDecision decision, string name, RouteUsage usage)
    {
        if (usage.CacheHit)
        {
            return 0m;
        }

        if (settings.Current.Models.TryGetValue(name, out var model) && model is not null)
        {
            return model.IsLocal ? 0m : model.Cost(usage.InputTokens ?? 0, usage.OutputTokens ?? 0);
        }

        // Removed from the catalog between the decision and its pricing (a reload): the estimate is the best price
        // known, and better than recording money spent as free.
        var estimate = name == decision.Model ? decision.EstimatedCostUsd : 0m;
        LogUnknownModel(name, estimate);
        return estimate;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} is not in the routing catalog; its call is priced at {CostUsd} USD")]
    private partial void LogUnknownModel(string model, decimal costUsd);
}
