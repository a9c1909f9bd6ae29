namespace OpenSesame.Storage.Postgres.Tests;

// Every storage contract against PostgreSQL: a database of each test's own on one server the test process starts.

public sealed class PostgresAuditLogTests : AuditLogContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

public sealed class PostgresCostLedgerTests : CostLedgerContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

public sealed class PostgresUsageStoreTests : UsageStoreContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

public sealed class PostgresOutcomeStoreTests : OutcomeStoreContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

public sealed class PostgresRetrainRequestsTests : RetrainRequestsContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

public sealed class PostgresSpecDocumentStoreTests : SpecDocumentStoreContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

public sealed class PostgresEmbeddingStoreTests : EmbeddingStoreContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

public sealed class PostgresDistributedCacheTests : DistributedCacheContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}

public sealed class PostgresMigrationsTests : MigrationsContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => PostgresBackend.CreateAsync();
}
