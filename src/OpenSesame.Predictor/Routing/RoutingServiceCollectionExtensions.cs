using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Routing;

public static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// The routing core, from the "Routing" configuration section (validated at start and on every reload): the
    /// router, the token estimator, the cost ledger (SQLite unless an <see cref="ICostLedger"/> was registered first),
    /// the running budget (loaded when the host starts), the alerts with their webhook client, the recorder that
    /// accounts for each call, and the accounting of predictions that asked no model. Everything is a singleton;
    /// nothing here calls a model (the routing chat client that does is wired with the LLM generator).
    /// </summary>
    public static IServiceCollection AddRouting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RoutingOptions>().Bind(configuration.GetSection(RoutingOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<ICostLedger, SqliteCostLedger>();
        services.AddMetrics();
        services.TryAddSingleton<RoutingMetrics>();
        services.TryAddSingleton<RoutingSettings>();
        services.TryAddSingleton<TokenEstimator>();
        services.TryAddSingleton<BudgetTracker>();
        services.TryAddSingleton<ModelRouter>();
        services.TryAddSingleton<BudgetAlerts>();
        services.TryAddSingleton<CostRecorder>();
        services.TryAddSingleton(sp => new PredictionAccounting(sp.GetRequiredService<ModelRouter>(), sp.GetRequiredService<CostRecorder>()));
        services.AddHostedService<BudgetTrackerLoader>();
        services.AddHttpClient(BudgetAlerts.HttpClientName);
        return services;
    }
}
