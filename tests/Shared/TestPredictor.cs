using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Testing;

/// <summary>The real pipeline, wired as the service wires it, over a temporary data folder.</summary>
internal sealed class TestPredictor : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "opensesame-tests", Guid.NewGuid().ToString("n"));
    private readonly ServiceProvider _services;

    /// <param name="configure">Services added after the predictor's own (another generator, a fake).</param>
    public TestPredictor(IDictionary<string, string?>? settings = null, TimeProvider? time = null,
        Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder()
            // Tests read what a prediction recorded right after it: wait for the writes however loaded the machine is.
            // Every prediction waits for its spec's operation vectors, so that answers do not depend on timing; the
            // tests of background indexing turn it on.
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = _dataDirectory,
                ["Recording:WaitTimeout"] = "00:01:00",
                ["Semantics:BackgroundIndexing"] = "false",
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection().AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddPredictor(configuration).AddSqliteStorage();
        configure?.Invoke(services);
        _services = services.BuildServiceProvider();
    }

    public PredictionService Service => _services.GetRequiredService<PredictionService>();

    public SpecProvider Specs => _services.GetRequiredService<SpecProvider>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public Task<PredictResponse> PredictAsync(string specPath, string? prompt, int k, params string[] endpoints) =>
        PredictAsync(specPath, prompt, k, [.. endpoints.Select(e => HistoryEvent.ParseEndpoint(e) is { } p
            ? new HistoryEvent(null, p.Method, p.Path, HistoryEvent.NoParams)
            : throw new ArgumentException(e))]);

    /// <summary>A prediction through the service, as a client asks for it (spec inline); anything but an answer fails
    /// the test with what the service said.</summary>
    public async Task<PredictResponse> PredictAsync(string specPath, string? prompt, int k, IReadOnlyList<HistoryEvent> events,
        decimal? maxCostUsd = null) =>
        await Service.PredictAsync(Request(specPath, prompt, k, events, maxCostUsd), TestContext.Current.CancellationToken) switch
        {
            PredictionOutcome.Answered answered => answered.Response,
            var other => throw new InvalidOperationException($"The service did not answer: {other}"),
        };

    /// <summary>The body a client would send for this prediction, the spec file's text inline.</summary>
    public static PredictRequest Request(string specPath, string? prompt, int k, IReadOnlyList<HistoryEvent> events,
        decimal? maxCostUsd = null) => new()
        {
            UserId = "u-1",
            SessionId = "s-1",
            Events = [.. events.Select(e => new EventBody { Ts = e.Timestamp, Endpoint = e.Endpoint, Params = e.Params.ToDictionary() })],
            Prompt = prompt,
            Spec = OpenSesame.Predictor.Specs.InlineSpec.FromText(File.ReadAllText(specPath)),
            K = k,
            MaxCostUsd = maxCostUsd,
        };

    /// <summary>The spec file's text, sent inline as a request would.</summary>
    public static SpecSource Inline(string specPath) => SpecSource.Inline(File.ReadAllText(specPath));

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
