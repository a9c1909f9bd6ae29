using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.FeatureManagement;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Routing;

public static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// The routing core, from the "Routing" configuration section (validated at start and on every reload): the
    /// router, the token estimator, (the cost ledger, <see cref="ICostLedger"/>, comes from the storage provider),
    /// the running budget (loaded when the host starts), the alerts with their webhook client, the pricer that prices
    /// each question as it is settled, the recorder that writes it to the ledger, and the per-user rollout of the LLM
    /// path and the router (<see cref="LlmRollout"/>, section "FeatureManagement"). Everything is a singleton;
    /// nothing here calls a model (the routing chat client that does is wired with the LLM generator).
    /// </summary>
    public static IServiceCollection AddRouting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RoutingOptions>().Bind(configuration.GetSection(RoutingOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddRecordWriter(configuration);
        services.TryAddSingleton<RoutingMetrics>();
        services.TryAddSingleton<RoutingSettings>();
        services.TryAddSingleton<TokenEstimator>();
        services.TryAddSingleton<BudgetTracker>();
        services.TryAddSingleton<ModelRouter>();
        services.TryAddSingleton<BudgetAlerts>();
        services.TryAddSingleton<RoutePricer>();
        services.TryAddSingleton<CostRecorder>();
        // The rollout reads "FeatureManagement" from this configuration, whether or not the host registered its own.
        services.TryAddSingleton(configuration);
        services.AddFeatureManagement();
        services.TryAddSingleton(sp => new LlmRollout(sp.GetRequiredService<IFeatureManager>(), configuration));
        services.AddHostedService<BudgetTrackerLoader>();
        services.AddHttpClient(BudgetAlerts.HttpClientName);
        return services;
    }
}
