using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenSesame.Predictor.Guardrails.Audit;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Storage;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Storage.Sqlite;

public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>
    /// The embedded default store behind every storage interface of the predictor: one SQLite file
    /// (<c>Storage:DataDirectory</c>/opensesame.db, WAL) for spec documents, operation embeddings, the audit log, learned
    /// usage, served predictions and their outcomes, retraining requests, the cost ledger and the second tier of the LLM response cache, whose
    /// expired rows are deleted in the background. A store the host registered before this call is kept.
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<IStoreMigrations>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.TryAddSingleton<ISpecDocumentStore, SqliteSpecDocumentStore>();
        services.TryAddSingleton<IEmbeddingStore, SqliteEmbeddingStore>();
        services.TryAddSingleton<IAuditLog, SqliteAuditLog>();
        services.TryAddSingleton<IUsageStore, SqliteUsageStore>();
        services.TryAddSingleton<IOutcomeStore, SqliteOutcomeStore>();
        services.TryAddSingleton<IOutcomeReader, SqliteOutcomeStore>();
        services.TryAddSingleton<IRetrainRequests, SqliteRetrainRequests>();
        services.TryAddSingleton<ICostLedger, SqliteCostLedger>();
        services.TryAddSingleton<IDistributedCache, SqliteDistributedCache>();
        services.TryAddSingleton<IStoreBackup, SqliteBackup>();
        services.AddHostedService<DistributedCacheCleanupService>();
        return services;
    }
}
