using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSesame.Predictor;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Cli;

/// <summary>
/// The same services the API runs, configured the same way (appsettings.json next to the working directory,
/// then environment variables such as <c>Storage__DataDirectory</c>), with logs on standard error so that
/// standard output stays clean for <c>--json</c>.
/// </summary>
internal static class CliHost
{
    /// <param name="overrides">Settings on top of the file and the environment.</param>
    /// <param name="services">Registrations made before the predictor's, which keep them (a test's clock).</param>
    public static ServiceProvider Build(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var configuration = Configuration(overrides);
        var collection = new ServiceCollection()
            .AddLogging(logging => logging
                .AddConfiguration(configuration.GetSection("Logging"))
                .SetMinimumLevel(LogLevel.Warning)
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services?.Invoke(collection);
        return collection.AddPredictor(configuration).AddSqliteStorage().BuildServiceProvider();
    }

    /// <summary>The configuration <see cref="Build"/> gives the services: the file, the environment, then
    /// <paramref name="overrides"/>.</summary>
    public static IConfigurationRoot Configuration(IDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath("appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
}
