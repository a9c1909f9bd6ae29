using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Postgres.Tests;

/// <summary>A database of its own on the test process's shared server, with the services <c>AddPostgresStorage</c>
/// registers when <c>Storage:Provider</c> is <c>Postgres</c>; dropped after the test.</summary>
internal sealed class PostgresBackend(PostgresServer server, string connectionString) : IStoreBackend
{
    public static async Task<IStoreBackend> CreateAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return new PostgresBackend(server, await server.CreateDatabaseAsync());
    }

    public string ConnectionString => connectionString;

    public ServiceProvider Open(TimeProvider time)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:Postgres:ConnectionString"] = connectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddLogging();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section));
        services.AddPostgresStorage(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public Task CleanUpCacheAsync(IServiceProvider process, CancellationToken cancellationToken) =>
        process.GetServices<IHostedService>().OfType<PostgresCacheCleanupService>().Single().CleanUpAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await server.DropDatabaseAsync(connectionString);
}
