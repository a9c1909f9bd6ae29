using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenSesame.Api.Tests;

/// <summary>The real service in memory, with its own data folder and the repo's samples as the spec folder.</summary>
/// <param name="settings">Configuration on top of the defaults (<c>Security:ApiKeys:0:Owner</c>, <c>urls</c>, ...).</param>
/// <param name="time">The clock every service reads, when a test needs to move it.</param>
/// <param name="services">Services added after the service's own (an in-memory telemetry exporter, a log capture).</param>
public sealed class ApiFactory(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null,
    Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "opensesame-api-tests", Guid.NewGuid().ToString("n"));

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string EvalData { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "evaldata"));

    /// <summary>The service's Storage:DataDirectory. What a test puts here before the first request (a model under
    /// <c>models/</c>) is there when the service starts.</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>Everything the service logged.</summary>
    public ListLoggerProvider Logs { get; } = new();

    /// <summary>Starts the service expecting it to refuse, and says why: the messages of what was thrown, of every
    /// exception it logged and of its critical log lines (a refusal found before the host starts is only logged).</summary>
    /// <remarks>When the app fails while starting, the factory throws either the cause or an ObjectDisposedException,
    /// depending on whether the app's thread disposed the host before the factory looked into it; the host logs the
    /// cause before that in both cases.</remarks>
    public string StartExpectingRefusal()
    {
        var thrown = Record.Exception(() => CreateClient().Dispose());
        Assert.NotNull(thrown);
        var logged = Logs.Entries.Select(e => e.Exception).OfType<Exception>();
        var critical = Logs.Entries.Where(e => e.Level == LogLevel.Critical).Select(e => e.Message);
        return string.Join("\n", logged.Prepend(thrown).SelectMany(Chain).Select(e => e.Message).Concat(critical));

        static IEnumerable<Exception> Chain(Exception e)
        {
            for (Exception? x = e; x is not null; x = x.InnerException)
            {
                yield return x;
            }
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:DataDirectory", _dataDirectory);

        // The heuristic ranks unless a test saves a model: its answers are what the tests' expectations are written for.
        builder.UseSetting("Ranking:DefaultModelDirectory", "");
        builder.UseSetting("Specs:Folders:0", Path.Combine(RepoRoot, "samples"));
        builder.UseSetting("Specs:Folders:1", EvalData);

        // Answers must not depend on whether a spec's operation vectors were built in time.
        builder.UseSetting("Semantics:BackgroundIndexing", "false");

        // A developer's real provider keys in the environment must not turn tests into paid calls.
        builder.UseSetting("ANTHROPIC_API_KEY", "");
        builder.UseSetting("OPENAI_API_KEY", "");

        // Tests read what a prediction recorded right after it; on a loaded machine a write can take longer than the
        // 100 ms a prediction waits by default. Tests of late writes set their own.
        builder.UseSetting("Recording:WaitTimeout", "00:01:00");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (time is not null)
        {
            builder.ConfigureTestServices(s => s.AddSingleton(time));
        }

        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenSesame.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OpenSesame.slnx not found above the test binaries.");
    }
}
