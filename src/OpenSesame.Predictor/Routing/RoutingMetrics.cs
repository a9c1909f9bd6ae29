using System.Diagnostics.Metrics;
using OpenSesame.Predictor.Telemetry;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// The routing, budget and language-model call instruments, on the service's meter. The meter comes from
/// <see cref="IMeterFactory"/>, which hands every part of the service asking for <see cref="PredictorTelemetry.Name"/>
/// the same meter, and disposes it.
/// </summary>
internal sealed class RoutingMetrics
{
    public RoutingMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(PredictorTelemetry.Name);
        Alerts = Meter.CreateCounter<long>("opensesame.budget.alerts", "{alert}",
            "Budget alerts raised; tags: budget (monthly, daily, hourly), level (75, 90, 100, anomaly).");
        Cost = Meter.CreateCounter<double>("opensesame.llm.cost", "USD",
            "What language-model calls cost, as the providers' usage reports priced by the catalog; tags: model, cache_hit.");
        Decisions = Meter.CreateCounter<long>("opensesame.routing.decisions", "{decision}",
            "Accounted routing decisions; tags: model, reason.");
        CacheLookups = Meter.CreateCounter<long>("opensesame.llm.cache.lookups", "{lookup}",
            "Questions looked up in the LLM response cache; tag: hit (true, false). The hit rate is hit=true over all.");
        LlmCalls = Meter.CreateCounter<long>("opensesame.llm.calls", "{call}",
            "Calls to a language model; tags: provider, model (the provider's id), outcome (ok, unreadable, timeout, "
            + "deadline, circuit-open, error).");
        LlmTokens = Meter.CreateCounter<long>("opensesame.llm.tokens", "{token}",
            "Tokens the providers reported for their answers; tags: provider, model, type (input, output).");
    }

    public Meter Meter { get; }

    public Counter<long> Alerts { get; }

    public Counter<double> Cost { get; }

    public Counter<long> Decisions { get; }

    public Counter<long> CacheLookups { get; }

    public Counter<long> LlmCalls { get; }

    public Counter<long> LlmTokens { get; }

    /// <summary>Counts one call to a model and the tokens its provider reported.</summary>
    public void LlmCalled(string provider, string model, string outcome, long? inputTokens, long? outputTokens)
    {
        var providerTag = new KeyValuePair<string, object?>("provider", provider);
        var modelTag = new KeyValuePair<string, object?>("model", model);
        LlmCalls.Add(1, providerTag, modelTag, new("outcome", outcome));
        if (inputTokens is { } input)
        {
            LlmTokens.Add(input, providerTag, modelTag, new("type", "input"));
        }

        if (outputTokens is { } output)
        {
            LlmTokens.Add(output, providerTag, modelTag, new("type", "output"));
        }
    }
}
