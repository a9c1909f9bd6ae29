namespace OpenSesame.Storage.Sqlite.Tests;

// Every storage contract against the embedded SQLite file: a file of each test's own.

public sealed class SqliteAuditLogTests : AuditLogContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class SqliteCostLedgerTests : CostLedgerContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class SqliteUsageStoreTests : UsageStoreContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class SqliteRetrainRequestsTests : RetrainRequestsContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class SqliteSpecDocumentStoreTests : SpecDocumentStoreContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class SqliteEmbeddingStoreTests : EmbeddingStoreContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class SqliteDistributedCacheTests : DistributedCacheContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class SqliteMigrationsTests : MigrationsContract
{
    private protected override Task<IStoreBackend> CreateBackendAsync() => SqliteBackend.CreateAsync();
}
