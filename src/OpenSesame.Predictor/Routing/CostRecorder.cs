using Microsoft.Extensions.Logging;

namespace OpenSesame.Predictor.Routing;

/// <summary>What happened after a routing decision: who asked, and what the provider reported.</summary>
/// <param name="PredictionId">The prediction the call served.</param>
internal sealed record RouteUsage(string PredictionId, string? UserId, string? SessionId)
{
    /// <summary>The catalog name of the model that answered, when not the chosen one (the fallback did).</summary>
    public string? Model { get; init; }

    /// <summary>Input tokens, as the provider's usage report gives them; null when it gave none.</summary>
    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    /// <summary>Answered from the cache: no call, no cost.</summary>
    public bool CacheHit { get; init; }
}

/// <summary>
/// Accounts for a routed call afterwards: prices the provider's reported tokens with the catalog, writes the ledger
/// entry, adds it to the running spend, teaches the token estimator the model's ratio, counts it on the metrics and
/// raises the alerts it makes due. A ledger failure is logged and the spend still counted in memory: the answer is
/// worth more than its ledger line, and the budget must not forget money that was spent.
/// </summary>
internal sealed partial class CostRecorder(
    ICostLedger ledger,
    BudgetTracker budget,
    TokenEstimator estimator,
    BudgetAlerts alerts,
    RoutingSettings settings,
    RoutingMetrics metrics,
    TimeProvider time,
    ILogger<CostRecorder> logger)
{
    /// <summary>Records one call (or cache hit, or local answer) of <paramref name="decision"/>; returns the decision
    /// with its actual model, tokens and cost filled in.</summary>
    public async Task<RouteDecision> RecordAsync(RouteDecision decision, RouteUsage usage, CancellationToken cancellationToken)
    {
        var name = usage.Model ?? decision.Model;
        var cost = Cost(decision, name, usage);
        // Before the write, so the first load cannot count this entry on top of Add.
        await budget.EnsureLoadedAsync(cancellationToken);
        var entry = new CostEntry(time.GetUtcNow(), usage.PredictionId, usage.UserId, usage.SessionId, name,
            usage.InputTokens ?? 0, usage.OutputTokens ?? 0, cost, usage.CacheHit);
        try
        {
            await ledger.RecordAsync(entry, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLedgerFailed(ex, usage.PredictionId);
        }

        budget.Add(entry.At, cost);
        if (!usage.CacheHit && usage.InputTokens is > 0 && name == decision.Model)
        {
            estimator.Observe(name, decision.CountedTokens, usage.InputTokens.Value);
        }

        metrics.Cost.Add((double)cost, new("model", name), new("cache_hit", usage.CacheHit));
        metrics.Decisions.Add(1, new("model", name), new("reason", decision.Reason));
        await alerts.CheckAsync(cancellationToken);
        return decision with
        {
            ActualModel = name,
            ActualInputTokens = usage.InputTokens,
            ActualOutputTokens = usage.OutputTokens,
            ActualCostUsd = cost,
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

        // Removed from the catalog between the decision and its accounting (a reload): the estimate is the best
        // price known, and better than recording money spent as free.
        var estimate = name == decision.Model ? decision.EstimatedCostUsd : 0m;
        LogUnknownModel(name, estimate);
        return estimate;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The cost of prediction {PredictionId} could not be written to the ledger; it still counts against the budget")]
    private partial void LogLedgerFailed(Exception exception, string predictionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} is not in the routing catalog; its call is recorded at {CostUsd} USD")]
    private partial void LogUnknownModel(string model, decimal costUsd);
}
