using System.Diagnostics.Metrics;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// The routing and budget instruments, on the service's meter. The meter comes from <see cref="IMeterFactory"/>, which
/// hands every part of the service asking for "OpenSesame.Predictor" the same meter, and disposes it.
/// </summary>
internal sealed class RoutingMetrics
{
    public const string MeterName = "OpenSesame.Predictor";

    public RoutingMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        Alerts = Meter.CreateCounter<long>("opensesame.budget.alerts", "{alert}",
            "Budget alerts raised; tags: budget (monthly, daily, hourly), level (75, 90, 100, anomaly).");
        Cost = Meter.CreateCounter<double>("opensesame.llm.cost", "USD",
            "What language-model calls cost, as the providers' usage reports priced by the catalog; tags: model, cache_hit.");
        Decisions = Meter.CreateCounter<long>("opensesame.routing.decisions", "{decision}",
            "Accounted routing decisions; tags: model, reason.");
        CacheLookups = Meter.CreateCounter<long>("opensesame.llm.cache.lookups", "{lookup}",
            "Questions looked up in the LLM response cache; tag: hit (true, false). The hit rate is hit=true over all.");
    }

    public Meter Meter { get; }

    public Counter<long> Alerts { get; }

    public Counter<double> Cost { get; }

    public Counter<long> Decisions { get; }

    public Counter<long> CacheLookups { get; }
}
