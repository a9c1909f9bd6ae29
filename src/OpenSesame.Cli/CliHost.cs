using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenSesame.Predictor;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Storage;
using OpenSesame.Storage.Postgres;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Cli;

/// <summary>
/// The API's services on the Generic Host, configured the same way (appsettings.json in the working directory, then
/// environment variables such as <c>Storage__DataDirectory</c>), with logs on standard error only so that standard
/// output stays clean for <c>--json</c>. A command gets the host started, so its hosted services run as in the API:
/// the ranker loads its model, the budget its spend, the audit and cache cleanups do their first round.
/// </summary>
internal static class CliHost
{
    /// <param name="overrides">Settings on top of the file and the environment.</param>
    /// <param name="configureServices">Registrations after the predictor's, which replace its own (a test's clock).</param>
    public static async Task<StartedHost> StartAsync(IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        // No defaults: they would add sources the CLI never read, and watch the working directory, subfolders and
        // all, for changes to a file that a command ending in seconds reads once.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        AddSources(builder.Configuration, overrides);
        builder.Logging
            .AddConfiguration(builder.Configuration.GetSection("Logging"))
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.Services.AddPredictor(builder.Configuration).AddPostgresStorage(builder.Configuration).AddSqliteStorage();
        configureServices?.Invoke(builder.Services);

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            await StartedHost.DisposeAsync(host);
            throw;
        }

        return new StartedHost(host);
    }

    /// <summary>The configuration <see cref="StartAsync"/> gives the services, for a command that needs a setting and
    /// no service.</summary>
    public static IConfigurationRoot Configuration(IReadOnlyDictionary<string, string?>? overrides = null) =>
        AddSources(new ConfigurationBuilder(), overrides).Build();

    /// <summary>The data directory the services would use, for a command that writes there and needs no service.</summary>
    public static string DataDirectory(IConfiguration? configuration = null) =>
        (configuration ?? Configuration())[$"{StorageOptions.Section}:{nameof(StorageOptions.DataDirectory)}"] is { Length: > 0 } configured
            ? configured
            : new StorageOptions().DataDirectory;

    /// <summary>Where the configured deployment keeps its trained rankers (<c>Ranking:ModelDirectory</c>, else
    /// <c>models</c> in its data directory), as an absolute path: a command on a temporary data directory still ranks
    /// with them, as <c>predict</c> and <c>eval</c> would.</summary>
    public static string ModelDirectory(IConfiguration? configuration = null)
    {
        configuration ??= Configuration();
        return Path.GetFullPath(configuration["Ranking:ModelDirectory"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(DataDirectory(configuration), "models"));
    }

    private static IConfigurationBuilder AddSources(IConfigurationBuilder configuration,
        IReadOnlyDictionary<string, string?>? overrides) => configuration
        // A command answers once and ends, and evaluation must not depend on timing: every prediction waits for its
        // spec's operation vectors, where the service would answer without them while they are built.
        .AddInMemoryCollection(new Dictionary<string, string?> { [$"{SemanticOptions.Section}:{nameof(SemanticOptions.BackgroundIndexing)}"] = "false" })
        .AddJsonFile(Path.GetFullPath("appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());

    /// <summary>
    /// Ctrl+C and SIGTERM cancel the command's token, which System.CommandLine hands the action, and the command ends.
    /// The console lifetime would catch those signals (and SIGQUIT) too, only to stop an application nothing waits on.
    /// </summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>A host <see cref="CliHost.StartAsync"/> started; disposing it stops the hosted services, then the
/// services.</summary>
internal sealed class StartedHost(IHost host) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    public T Get<T>()
        where T : notnull => host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Not the command's token: after Ctrl+C the hosted services still stop in order, which takes no time.
            await host.StopAsync(CancellationToken.None);
        }
        finally
        {
            await DisposeAsync(host);
        }
    }

    internal static ValueTask DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asynchronous)
        {
            return asynchronous.DisposeAsync();
        }

        host.Dispose();
        return ValueTask.CompletedTask;
    }
}
