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
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = _dataDirectory })
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

    public PredictionPipeline Pipeline => _services.GetRequiredService<PredictionPipeline>();

    public SpecProvider Specs => _services.GetRequiredService<SpecProvider>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public Task<PredictResponse> PredictAsync(string specPath, string? prompt, int k, params string[] endpoints) =>
        PredictAsync(specPath, prompt, k, [.. endpoints.Select(e => HistoryEvent.ParseEndpoint(e) is { } p
            ? new HistoryEvent(null, p.Method, p.Path, HistoryEvent.NoParams)
            : throw new ArgumentException(e))]);

    public Task<PredictResponse> PredictAsync(string specPath, string? prompt, int k, IReadOnlyList<HistoryEvent> events) =>
        Pipeline.PredictAsync(new PredictionRequest("u-1", "s-1", events, prompt, Inline(specPath), k),
            TestContext.Current.CancellationToken);

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
