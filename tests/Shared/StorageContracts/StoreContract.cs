using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>One provider's store for the contract tests: empty when a test starts, deleted after it.</summary>
internal interface IStoreBackend : IAsyncDisposable
{
    /// <summary>The provider's services over the store as one process registers them (its own connections), on
    /// <paramref name="time"/>.</summary>
    ServiceProvider Open(TimeProvider time);

    /// <summary>A raw connection to the store, for what no interface offers: counting rows, damaging one, trying an
    /// update the store must refuse.</summary>
    Task<DbConnection> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>One round of the provider's background deletion of expired cache entries, in <paramref name="process"/>.</summary>
    Task CleanUpCacheAsync(IServiceProvider process, CancellationToken cancellationToken);
}

/// <summary>
/// The base of every storage contract: what a store must do whichever provider keeps it. Each contract is an abstract
/// class of tests; each provider's test project derives one class per contract that says only how to make its store
/// (<see cref="CreateBackendAsync"/>), so the same assertions run against every provider.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<ServiceProvider> _processes = [];
    private IStoreBackend? _backend;
    private IServiceProvider? _first;

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The clock every process of the test reads.</summary>
    protected FakeTimeProvider Time { get; } = new(Start);

    private protected IStoreBackend Backend => _backend ?? throw new InvalidOperationException("The store is not made yet.");

    private protected abstract Task<IStoreBackend> CreateBackendAsync();

    public async ValueTask InitializeAsync() => _backend = await CreateBackendAsync();

    /// <summary>The store as one more process opens it.</summary>
    protected IServiceProvider Process()
    {
        var process = Backend.Open(Time);
        _processes.Add(process);
        return process;
    }

    /// <summary>A service of the test's first process.</summary>
    protected T Get<T>()
        where T : notnull => (_first ??= Process()).GetRequiredService<T>();

    protected async Task<long> CountRowsAsync(string table)
    {
        await using var connection = await ConnectAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = await ConnectAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync(Cancel);
    }

    // The schema first: a test may count a table before any store has been used.
    private async Task<DbConnection> ConnectAsync()
    {
        await Get<IStoreMigrations>().MigrateAsync(Cancel);
        return await Backend.ConnectAsync(Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
