using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// What one prediction spent, and where: the time of each stage, the language-model calls with their tokens and
/// cost, the accounted routing decisions, and the generators whose candidates made the pool. Stages write to it
/// concurrently (the LLM call runs beside local generation); the response's <c>metadata</c> and <c>cost_usd</c> are
/// read from it.
/// </summary>
public sealed class PredictionTrace
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

    public void LlmCall(LlmCallTrace call)
    {
        lock (_gate)
        {
            _llmCalls.Add(call);
        }
    }

    /// <summary>Records a question's routing decision once it is accounted in the cost ledger (actual model, tokens
    /// and cost filled in): one per question, whether a model answered it, the cache did, or no model was asked.</summary>
    public void Routed(RouteDecision accounted)
    {
        lock (_gate)
        {
            _routes.Add(accounted);
        }
    }

    /// <summary>The accounted decisions, in order: the generator's question first, a review's after it.</summary>
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

    /// <summary>What this prediction's language-model questions cost, in US dollars, as the cost ledger has them:
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

    /// <summary>A snapshot for the response, stage times rounded to microseconds.</summary>
    public PredictMetadata ToMetadata()
    {
        lock (_gate)
        {
            return new PredictMetadata(
                [.. _generators],
                [.. _llmCalls],
                _stagesMs.ToDictionary(s => s.Key, s => Math.Round(s.Value, 3), StringComparer.Ordinal),
                _routes.Count > 0 ? _routes[0] : null,
                _routes.Count > 0 && _routes[0].CacheHit);
        }
    }
}

/// <summary>One call to a language model during a prediction.</summary>
/// <param name="Provider">"anthropic" or "openai".</param>
/// <param name="Model">The model id asked.</param>
/// <param name="Outcome">"ok", "unreadable" (answered, not in the required shape), "timeout", "deadline",
/// "circuit-open" or "error".</param>
/// <param name="InputTokens">As the provider reported them; null when it gave no usage.</param>
/// <param name="OutputTokens">As the provider reported them; null when it gave no usage.</param>
/// <param name="CostUsd">The reported tokens priced by the model's entry in the routing catalog (0 without usage).</param>
/// <param name="Ms">Wall time of the call, retries included.</param>
public sealed record LlmCallTrace(string Provider, string Model, string Outcome, long? InputTokens, long? OutputTokens,
    decimal CostUsd, double Ms);

/// <summary>How a prediction was made: the <c>metadata</c> object of a <c>/predict</c> answer.</summary>
/// <param name="Generators">Generators whose candidates joined the pool: "local", "llm".</param>
/// <param name="LlmCalls">Every language-model call, in order (a fallback shows as a second call).</param>
/// <param name="StagesMs">Milliseconds per stage: spec, context, generate (and generate.local / generate.llm, which
/// overlap), critique, rank.</param>
/// <param name="Route">Which model (or none) served the prediction's question and why, with the estimate before and
/// the actual model, tokens and cost after; a review's question, when there is one, shows in <c>llm_calls</c> and
/// <c>cost_usd</c>.</param>
/// <param name="CacheHit">The question was answered from the response cache: no model call, no cost.</param>
public sealed record PredictMetadata(
    IReadOnlyList<string> Generators,
    IReadOnlyList<LlmCallTrace> LlmCalls,
    IReadOnlyDictionary<string, double> StagesMs,
    RouteDecision? Route = null,
    bool CacheHit = false);
