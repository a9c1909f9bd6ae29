using System.Globalization;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// Chooses which model (or none: the local generator) serves a prediction. A pure function of the routing options,
/// the spend in memory (<see cref="BudgetTracker"/>), the token corrections learned so far and the clock; it calls
/// nothing and writes nothing.
/// <para>The models of the available providers form a ladder: the local model at the bottom, then the models no other
/// model beats on both estimated cost and quality, from cheapest to best (with the default catalog:
/// local → Claude 3 Haiku → Claude 3 Sonnet; GPT-3.5 Turbo costs more than Haiku for less quality, so it serves as
/// the fallback, or when Anthropic is unavailable). The rules, in order:</para>
/// <list type="number">
/// <item>budget at or past <see cref="RoutingOptions.LocalOnlyPercent"/>: local only;</item>
/// <item>the cheapest model whose quality reaches <see cref="RoutingOptions.QualityFloor"/> (none: local);</item>
/// <item>complexity at or above <see cref="RoutingOptions.ComplexityThreshold"/>: the top of the ladder;</item>
/// <item>budget at or past <see cref="RoutingOptions.DegradePercent"/>: one rung down, so a complex request gets what a
/// simple one got before, and a simple one the rung below it;</item>
/// <item>down the ladder while the estimate is above the per-prediction threshold, the request's
/// <c>max_cost_usd</c>, or what is left of the budget (the local model costs nothing, so it always fits).</item>
/// </list>
/// </summary>
internal sealed class ModelRouter(RoutingSettings settings, BudgetTracker budget, TokenEstimator estimator)
{
    public RouteDecision Decide(RouteRequest request)
    {
        var options = settings.Current;
        var spend = budget.Snapshot();
        var (usedPercent, budgetName) = BudgetUsed(options, spend);
        var local = Price(options, options.LocalModel.Key, options.LocalModel.Value, request);
        var explanation = new List<string>();

        if (usedPercent >= options.LocalOnlyPercent)
        {
            explanation.Add($"The {budgetName} budget is {Percent(usedPercent)} spent (local only from {Percent(options.LocalOnlyPercent)}): no model call.");
            return Decision(options, local, RouteReasons.BudgetExhausted, explanation, request, usedPercent, null);
        }

        var models = options.Models
            .Where(m => m.Value is { Enabled: true, IsLocal: false }
                        && (request.Providers is null || request.Providers.Contains(m.Value.Provider, StringComparer.Ordinal))
                        && (!request.RequiresStructuredOutput || m.Value.SupportsStructuredOutput))
            .Select(m => Price(options, m.Key, m.Value, request))
            .ToList();
        if (models.Count == 0)
        {
            explanation.Add("No model of an available provider can serve this request: local.");
            return Decision(options, local, RouteReasons.NoProvider, explanation, request, usedPercent, null);
        }

        var ladder = Ladder(local, models);
        var rung = ladder.FindIndex(m => !m.Options.IsLocal && m.Options.Quality >= options.QualityFloor);
        if (rung < 0)
        {
            explanation.Add($"No available model reaches the quality floor {Number(options.QualityFloor)}: local.");
            return Decision(options, local, RouteReasons.BelowQualityFloor, explanation, request, usedPercent, null);
        }

        var reason = RouteReasons.CheapestMeetingQualityFloor;
        explanation.Add($"{ladder[rung].Name} is the cheapest model with quality at or above {Number(options.QualityFloor)} (estimate {Usd(ladder[rung].Cost)}).");

        if (request.Adaptive && request.Complexity >= options.ComplexityThreshold && rung < ladder.Count - 1)
        {
            rung = ladder.Count - 1;
            reason = RouteReasons.ComplexQueryEscalated;
            explanation.Add($"Complex request ({Number(request.Complexity)} ≥ {Number(options.ComplexityThreshold)}): escalated to {ladder[rung].Name} (estimate {Usd(ladder[rung].Cost)}).");
        }

        if (request.Adaptive && usedPercent >= options.DegradePercent)
        {
            rung--;
            reason = RouteReasons.BudgetDegraded;
            explanation.Add($"The {budgetName} budget is {Percent(usedPercent)} spent (degrade from {Percent(options.DegradePercent)}): one tier down to {ladder[rung].Name}.");
        }

        var remaining = Remaining(options, spend);
        foreach (var (cap, capReason, what) in new (decimal? Cap, string Reason, string What)[]
                 {
                     (options.PredictionCostThresholdUsd, RouteReasons.OverPredictionThreshold, "the per-prediction threshold"),
                     (request.MaxCostUsd is { } max ? Math.Max(0, max) : null, RouteReasons.RequestCostCap, "the request's max_cost_usd"),
                     (remaining, RouteReasons.BudgetRemaining, "what is left of the budget"),
                 })
        {
            if (cap is not { } limit || ladder[rung].Cost <= limit)
            {
                continue;
            }

            var over = ladder[rung];
            while (ladder[rung].Cost > limit)
            {
                rung--;
            }

            reason = capReason;
            explanation.Add($"{over.Name}'s estimate {Usd(over.Cost)} is above {what} ({Usd(limit)}): {ladder[rung].Name} instead.");
        }

        var chosen = ladder[rung];
        var fallback = chosen.Options.IsLocal ? null : models
            .Where(m => m.Options.Provider != chosen.Options.Provider && m.Options.Quality >= options.QualityFloor
                        && m.Cost <= options.PredictionCostThresholdUsd
                        && (request.MaxCostUsd is not { } max || m.Cost <= max)
                        && (remaining is not { } left || m.Cost <= left))
            .OrderBy(m => m.Cost).ThenByDescending(m => m.Options.Quality).ThenBy(m => m.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return Decision(options, chosen, reason, explanation, request, usedPercent, fallback?.Name);
    }

    /// <summary>The local generator alone, for a reason decided outside the policy (a request no model may see).</summary>
    public RouteDecision Local(string reason, string explanation, double complexity)
    {
        var options = settings.Current;
        var (usedPercent, _) = BudgetUsed(options, budget.Snapshot());
        var request = new RouteRequest(0, complexity);
        return Decision(options, Price(options, options.LocalModel.Key, options.LocalModel.Value, request), reason,
            [explanation], request, usedPercent, null);
    }

    /// <summary>The fuller budget, in percent, and its name.</summary>
    internal static (double Percent, string Name) BudgetUsed(RoutingOptions options, BudgetSpend spend)
    {
        var monthly = (double)(spend.MonthUsd / options.MonthlyBudgetUsd) * 100;
        if (options.DailyBudgetUsd is { } daily && (double)(spend.TodayUsd / daily) * 100 > monthly)
        {
            return ((double)(spend.TodayUsd / daily) * 100, "daily");
        }

        return (monthly, "monthly");
    }

    /// <summary>What may still be spent before the local-only level of the tighter budget.</summary>
    private static decimal? Remaining(RoutingOptions options, BudgetSpend spend)
    {
        var share = (decimal)options.LocalOnlyPercent / 100m;
        var remaining = (options.MonthlyBudgetUsd * share) - spend.MonthUsd;
        if (options.DailyBudgetUsd is { } daily)
        {
            remaining = Math.Min(remaining, (daily * share) - spend.TodayUsd);
        }

        return Math.Max(0, remaining);
    }

    /// <summary>Local first, then each model that is better than every cheaper one, cheapest first. Equal costs go to
    /// the better model, then the faster, then by name, so the ladder does not depend on configuration order.</summary>
    private static List<PricedModel> Ladder(PricedModel local, List<PricedModel> models)
    {
        var ladder = new List<PricedModel> { local };
        foreach (var model in models
                     .OrderBy(m => m.Cost)
                     .ThenByDescending(m => m.Options.Quality)
                     .ThenBy(m => m.Options.ExpectedLatency)
                     .ThenBy(m => m.Name, StringComparer.Ordinal))
        {
            if (model.Options.Quality > ladder[^1].Options.Quality)
            {
                ladder.Add(model);
            }
        }

        return ladder;
    }

    private PricedModel Price(RoutingOptions options, string name, RoutingModelOptions model, RouteRequest request) =>
        new(name, model, estimator.EstimateCost(name, model, request.CountedTokens, options.ExpectedOutputTokens));

    private RouteDecision Decision(RoutingOptions options, PricedModel model, string reason, List<string> explanation,
        RouteRequest request, double usedPercent, string? fallback) => new()
        {
            Model = model.Name,
            ModelId = model.Options.Model,
            Provider = model.Options.Provider,
            Reason = reason,
            Explanation = string.Join(" ", explanation),
            Complexity = request.Complexity,
            BudgetUsedPercent = Math.Round(usedPercent, 2),
            EstimatedInputTokens = model.Options.IsLocal ? 0 : estimator.EstimateInputTokens(model.Name, request.CountedTokens),
            EstimatedOutputTokens = model.Options.IsLocal ? 0 : options.ExpectedOutputTokens,
            EstimatedCostUsd = model.Cost,
            Fallback = fallback,
            CountedTokens = request.CountedTokens,
        };

    private static string Usd(decimal value) => "$" + value.ToString("0.########", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.#", CultureInfo.InvariantCulture) + " %";

    private sealed record PricedModel(string Name, RoutingModelOptions Options, decimal Cost);
}
