using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OpenSesame.Predictor.Guardrails.Audit;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Storage;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Storage.Postgres;

public static class PostgresStorageServiceCollectionExtensions
{
    /// <summary>Whether <c>Storage:Provider</c> selects PostgreSQL (ignoring case).</summary>
    public static bool IsSelected(IConfiguration configuration) => string.Equals(
        configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.Provider)}"], PostgresOptions.ProviderName,
        StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// With <c>Storage:Provider=Postgres</c>, every storage interface of the predictor in the PostgreSQL database of
    /// <c>Storage:Postgres:ConnectionString</c> (required; the service refuses to start without one): spec documents,
    /// operation embeddings, the audit log, learned usage, served predictions and their outcomes, retraining requests,
    /// the cost ledger and the LLM response cache's second tier. The schema is migrated at start. Backup and restore
    /// refuse, naming pg_dump. Otherwise nothing is registered. Call before <c>AddSqliteStorage</c>, whose stores give
    /// way to these.
    /// </summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsSelected(configuration))
        {
            return services;
        }

        services.AddOptions<PostgresOptions>().Bind(configuration.GetSection(PostgresOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString),
                $"{PostgresOptions.Section}:ConnectionString is required when {StorageOptions.Section}:Provider is Postgres.")
            .Validate(o => string.IsNullOrWhiteSpace(o.ConnectionString) || Parses(o.ConnectionString),
                $"{PostgresOptions.Section}:ConnectionString is not an Npgsql connection string (Host=...;Database=...;Username=...;Password=...).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PostgresDatabase>();
        services.TryAddSingleton<IStoreMigrations>(sp => sp.GetRequiredService<PostgresDatabase>());
        services.TryAddSingleton<ISpecDocumentStore, PostgresSpecDocumentStore>();
        services.TryAddSingleton<IEmbeddingStore, PostgresEmbeddingStore>();
        services.TryAddSingleton<IAuditLog, PostgresAuditLog>();
        services.TryAddSingleton<IUsageStore, PostgresUsageStore>();
        services.TryAddSingleton<PostgresOutcomeStore>();
        services.TryAddSingleton<IOutcomeStore>(sp => sp.GetRequiredService<PostgresOutcomeStore>());
        services.TryAddSingleton<IOutcomeReader>(sp => sp.GetRequiredService<PostgresOutcomeStore>());
        services.TryAddSingleton<IRetrainRequests, PostgresRetrainRequests>();
        services.TryAddSingleton<ICostLedger, PostgresCostLedger>();
        services.TryAddSingleton<PostgresDistributedCache>();
        services.TryAddSingleton<IDistributedCache>(sp => sp.GetRequiredService<PostgresDistributedCache>());
        services.TryAddSingleton<IStoreBackup, PostgresBackup>();
        services.AddHostedService<PostgresMigrationService>();
        services.AddHostedService<PostgresCacheCleanupService>();
        return services;
    }

    private static bool Parses(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
