using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Evaluation;

/// <summary>The ranked lists of one case, per system, kept for error analysis (<c>--cases-out</c>).</summary>
internal sealed record CaseOutcome(EvalCase Case, IReadOnlyDictionary<string, IReadOnlyList<string>> Ranked);

/// <summary>Scores of each system on one dataset.</summary>
internal sealed record EvalResult(
    string Dataset,
    EvalReport Report,
    IReadOnlyDictionary<string, RankingReport> Systems,
    IReadOnlyList<CaseOutcome> Outcomes);

/// <summary>Runs every system on every case of a dataset, with the history as the dataset gives it.</summary>
internal sealed class EvalRunner(EvalSpecCatalogs catalogs, SentenceEmbedder? embedder)
{
    public async Task<EvalResult> RunAsync(string dataset, IReadOnlyList<EvalCase> cases, EvalReport report,
        IReadOnlyList<IEvalSystem> systems, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var ranked = systems.ToDictionary(s => s.Name, _ => new List<RankedCase>(cases.Count), StringComparer.Ordinal);
        var outcomes = new List<CaseOutcome>(cases.Count);
        var usage = new Dictionary<EndpointCatalog, LearnedUsage>();
        for (var i = 0; i < cases.Count; i++)
        {
            var @case = cases[i];
            var context = ContextOf(catalogs, @case, embedder);
            var target = context.Catalog.Operations.FirstOrDefault(o => o.Key == @case.Expected);
            if (IsUnpromptedDestructive(context, target))
            {
                report.UnpromptedDestructiveTargets++;
            }

            var withoutIntent = new Lazy<PredictionContext>(() => ContextOf(catalogs, @case, null, dataFlow: false));
            if (!usage.TryGetValue(context.Catalog, out var learned))
            {
                usage[context.Catalog] = learned = new LearnedUsage(new UsageCounts());
            }

            var withUsage = new Lazy<PredictionContext>(() => ContextOf(catalogs, @case, embedder, usage: learned));
            var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var system in systems)
            {
                var list = await system.RankAsync(system.LearnsUsage ? withUsage.Value : system.IntentSignals ? context : withoutIntent.Value, cancellationToken);
                lists[system.Name] = list;
                ranked[system.Name].Add(new RankedCase(list, @case.Expected, @case.History.Count));
            }

            outcomes.Add(new CaseOutcome(@case, lists));
            // Test, then learn: the service counts this step when the user's next request carries it.
            if (target is not null)
            {
                learned.Record(context.History, target.Index, context.Now, context.UsageWords);
            }

            progress?.Report(i + 1);
        }

        return new EvalResult(dataset, report,
            ranked.ToDictionary(r => r.Key, r => RankingMetrics.Compute(r.Value), StringComparer.Ordinal), outcomes);
    }

    // The design lets a destructive call through only when the prompt asks for removal, so the pipeline systems can
    // never rank such a target: counting them tells how much of a dataset that rule puts out of reach.
    private static bool IsUnpromptedDestructive(PredictionContext context, ApiOperation? target) =>
        !context.RemovalIntent && target is not null && context.Destructive.IsDestructive(target);

    /// <summary>The prediction context of a case: its spec, its history (as spelled by the dataset), its prompt.</summary>
    public static PredictionContext ContextOf(EvalSpecCatalogs catalogs, EvalCase @case, SentenceEmbedder? embedder,
        bool dataFlow = true, LearnedUsage? usage = null) =>
        PredictionContext.Create(
            catalogs.Get(@case.Spec),
            @case.History.Select(call => new HistoryEvent(null, call.Method.ToUpperInvariant(), call.Path, call.JsonParams())),
            @case.Prompt,
            DateTimeOffset.UnixEpoch,
            embedder,
            dataFlow,
            usage: usage);
}
