using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Context;

/// <summary>
/// What one prediction spent, and where: the time of each stage, the language-model calls with their tokens and
/// cost, the priced routing decisions, and the generators whose candidates made the pool. Stages write to it
/// concurrently (the LLM call runs beside local generation); the response's <c>metadata</c> and <c>cost_usd</c> are
/// read from it.
/// </summary>
public sealed class PredictionTrace : IQuestionTrace
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, double> _stagesMs = new(StringComparer.Ordinal);
    private readonly List<LlmCallTrace> _llmCalls = [];
    private readonly List<RouteDecision> _routes = [];
    private readonly List<string> _generators = [];

    /// <summary>Records how long a stage took; a stage that runs twice adds up.</summary>
    public void Stage(string name, TimeSpan elapsed)
    {
        lock (_gate)
        {
            _stagesMs[name] = _stagesMs.GetValueOrDefault(name) + elapsed.TotalMilliseconds;
        }
    }

    public void LlmCall(LlmCallTrace trace)
    {
        lock (_gate)
        {
            _llmCalls.Add(trace);
        }
    }

    /// <summary>Records a question's routing decision, priced (actual model, tokens and cost filled in): one per
    /// question, whether a model answered it, the cache did, or no model was asked. The prediction's accounting
    /// writes them to the cost ledger once its questions are done.</summary>
    public void Routed(RouteDecision priced)
    {
        lock (_gate)
        {
            _routes.Add(priced);
        }
    }

    /// <summary>The priced decisions, in order: the generator's question first, a review's after it.</summary>
    public IReadOnlyList<RouteDecision> Routes
    {
        get
        {
            lock (_gate)
            {
                return [.. _routes];
            }
        }
    }

    /// <summary>Records that a generator's candidates joined the pool.</summary>
    public void Contributed(string generator)
    {
        lock (_gate)
        {
            if (!_generators.Contains(generator))
            {
                _generators.Add(generator);
            }
        }
    }

    /// <summary>What this prediction's language-model questions cost, in US dollars, as the cost ledger gets them:
    /// the providers' reported tokens priced by the routing catalog; a cache hit or a local answer costs nothing.</summary>
    public decimal CostUsd
    {
        get
        {
            lock (_gate)
            {
                return _routes.Sum(r => r.ActualCostUsd ?? 0m);
            }
        }
    }

    /// <summary>Milliseconds the language-model calls took, as this service waited for them.</summary>
    public double LlmMs
    {
        get
        {
            lock (_gate)
            {
                return _llmCalls.Sum(c => c.Ms);
            }
        }
    }

    /// <summary>What the trace holds now: generators, calls and priced routes in order, stage times rounded to
    /// microseconds.</summary>
    public TraceSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new TraceSnapshot(
                [.. _generators],
                [.. _llmCalls],
                _stagesMs.ToDictionary(s => s.Key, s => Math.Round(s.Value, 3), StringComparer.Ordinal),
                [.. _routes]);
        }
    }
}

/// <summary>A copy of a <see cref="PredictionTrace"/> at one moment.</summary>
public sealed record TraceSnapshot(
    IReadOnlyList<string> Generators,
    IReadOnlyList<LlmCallTrace> LlmCalls,
    IReadOnlyDictionary<string, double> StagesMs,
    IReadOnlyList<RouteDecision> Routes);
