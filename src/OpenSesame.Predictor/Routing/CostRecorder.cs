using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Routing;

/// <summary>Whose prediction a ledger line belongs to.</summary>
/// <param name="PredictionId">The prediction the question served.</param>
internal sealed record CostOwner(string PredictionId, string? UserId, string? SessionId);

/// <summary>
/// Writes a priced question (<see cref="RoutePricer"/>) to the books: the cost ledger entry, the running spend, the
/// estimator's token ratio for the model, the metrics, and the alerts it makes due. Its one caller is the
/// prediction's accounting, once the prediction's questions are done, so each question is written once. The ledger
/// line goes through the <see cref="RecordWriter"/> (a failure is the queue's to report) and the spend is counted in
/// memory either way: the answer is worth more than its ledger line, and the budget must not forget money that was
/// spent.
/// </summary>
internal sealed class CostRecorder(
    ICostLedger ledger,
    RecordWriter recording,
    BudgetTracker budget,
    TokenEstimator estimator,
    BudgetAlerts alerts,
    RoutingMetrics metrics,
    TimeProvider time)
{
    /// <summary>Records one question (a call, a cache hit, or a local answer) as <paramref name="priced"/> settled
    /// it.</summary>
    /// <exception cref="ArgumentException">The decision was not priced.</exception>
    public async Task RecordAsync(CostOwner owner, RouteDecision priced, CancellationToken cancellationToken)
    {
        if (priced.ActualCostUsd is not { } cost)
        {
            throw new ArgumentException("A decision is priced (RoutePricer) before it is recorded.", nameof(priced));
        }

        var name = priced.ActualModel ?? priced.Model;
        // Before the write, so the first load cannot count this entry on top of Add.
        await budget.EnsureLoadedAsync(cancellationToken);
        var entry = new CostEntry(time.GetUtcNow(), owner.PredictionId, owner.UserId, owner.SessionId, name,
            priced.ActualInputTokens ?? 0, priced.ActualOutputTokens ?? 0, cost, priced.CacheHit);
        await recording.WriteAsync("ledger", owner.PredictionId, ct => ledger.RecordAsync(entry, ct));

        await budget.AddAsync(entry.At, cost, cancellationToken);
        if (!priced.CacheHit && priced.ActualInputTokens is > 0 && name == priced.Model)
        {
            estimator.Observe(name, priced.CountedTokens, priced.ActualInputTokens.Value);
        }

        metrics.Cost.Add((double)cost, new("model", name), new("cache_hit", priced.CacheHit));
        metrics.Decisions.Add(1, new("model", name), new("reason", priced.Reason));
        await alerts.CheckAsync(cancellationToken);
    }
}
