using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite.Tests;

/// <summary>A SQLite file in a folder of its own, with the services <c>AddSqliteStorage</c> registers; deleted after the
/// test.</summary>
internal sealed class SqliteBackend : IStoreBackend
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opensesame-store-").FullName;

    public static Task<IStoreBackend> CreateAsync() => Task.FromResult<IStoreBackend>(new SqliteBackend());

    public string Folder => _folder;

    public ServiceProvider Open(TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddLogging();
        services.AddOptions<StorageOptions>().Configure(o => o.DataDirectory = _folder);
        services.AddSqliteStorage();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "opensesame.db")}");
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public Task CleanUpCacheAsync(IServiceProvider process, CancellationToken cancellationToken)
    {
        var cache = (SqliteDistributedCache)process.GetRequiredService<IDistributedCache>();
        var cleanup = new DistributedCacheCleanupService(cache, process.GetRequiredService<IOptions<StorageOptions>>(),
            process.GetRequiredService<TimeProvider>(), NullLogger<DistributedCacheCleanupService>.Instance);
        return cleanup.CleanUpAsync(cache, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
