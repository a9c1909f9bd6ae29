using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Storage;

using OpenSesame.Storage.Redis;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Predictor.Tests.Routing;

/// <summary>
/// The routing core as <c>AddRouting</c> wires it, over a real SQLite file in a temporary folder, a
/// <see cref="FakeTimeProvider"/> that starts on 1 March 2026 (UTC) and a configuration that can change while it runs.
/// </summary>
internal sealed class RoutingHarness : IDisposable
{
    public static readonly DateTimeOffset MarchFirst = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A budget of $1, so percentages read as dollars.</summary>
    public static readonly Dictionary<string, string?> OneDollarBudget = new() { ["Routing:MonthlyBudgetUsd"] = "1" };

    private readonly bool _ownsFolder;
    private readonly ServiceProvider _services;

    public RoutingHarness(IDictionary<string, string?>? settings = null, string? dataDirectory = null, FakeTimeProvider? time = null)
    {
        _ownsFolder = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("opensesame-routing-").FullName;
        Time = time ?? new FakeTimeProvider(MarchFirst);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = DataDirectory })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Add(Settings)
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section));
        services.AddSingleton<ILogger<BudgetAlerts>>(AlertLog);
        services.AddSingleton<ILogger<RoutingSettings>>(SettingsLog);
        services.AddSingleton<ILogger<BudgetTracker>>(BudgetLog);
        // As the API host: with Redis:Configuration set, the running budget is shared through Redis.
        services.AddRouting(configuration).AddRedisStorage(configuration).AddSqliteStorage();
        _services = services.BuildServiceProvider();
        Metrics = new MetricRecorder(Get<RoutingMetrics>().Meter);
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Configuration set here replaces the rest and reloads, as an edited appsettings file would.</summary>
    public ReloadableConfigurationSource Settings { get; } = new();

    public ListLogger<BudgetAlerts> AlertLog { get; } = new();

    public ListLogger<RoutingSettings> SettingsLog { get; } = new();

    public ListLogger<BudgetTracker> BudgetLog { get; } = new();

    public BudgetTracker Budget => Get<BudgetTracker>();

    public MetricRecorder Metrics { get; }

    public ModelRouter Router => Get<ModelRouter>();

    public RoutePricer Pricer => Get<RoutePricer>();

    public CostRecorder Recorder => Get<CostRecorder>();

    public ICostLedger Ledger => Get<ICostLedger>();

    public BudgetAlerts Alerts => Get<BudgetAlerts>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>A decision for a request of 300 counted tokens (a typical prediction) and the given complexity.</summary>
    public RouteDecision Decide(double complexity = 0.2, int tokens = 300, decimal? maxCostUsd = null,
        IReadOnlyCollection<string>? providers = null) =>
        Router.Decide(new RouteRequest(tokens, complexity) { MaxCostUsd = maxCostUsd, Providers = providers });

    /// <summary>Records a Claude 3 Haiku call that cost exactly <paramref name="usd"/> in input tokens ($0.25 per
    /// million: any multiple of $0.00000025), for a user and session; returns the accounted decision.</summary>
    public Task<RouteDecision> SpendAsync(decimal usd, string user = "u-1", string session = "s-1")
    {
        var tokens = usd / 0.00000025m;
        Assert.Equal(decimal.Truncate(tokens), tokens);
        var decision = new RouteDecision
        {
            Model = "claude-3-haiku",
            ModelId = "claude-3-haiku-20240307",
            Provider = RoutingOptions.Anthropic,
            Reason = RouteReasons.CheapestMeetingQualityFloor,
            Explanation = "",
        };
        return RecordAsync(decision, new RouteUsage { InputTokens = (long)tokens, OutputTokens = 0 }, Guid.NewGuid().ToString("n"),
            user, session);
    }

    /// <summary>Prices a question as the chat-client chain settles it, and writes it to the ledger as a prediction's
    /// accounting does; returns the priced decision.</summary>
    public async Task<RouteDecision> RecordAsync(RouteDecision decision, RouteUsage usage, string prediction = "p-1",
        string? user = "u-1", string? session = "s-1")
    {
        var priced = Pricer.Price(decision, usage);
        await Recorder.RecordAsync(new CostOwner(prediction, user, session), priced, TestContext.Current.CancellationToken);
        return priced;
    }

    /// <summary>The budget level alert lines logged so far (not the anomaly alerts: a large test spend in one hour
    /// on an empty ledger is an anomaly too).</summary>
    public List<string> BudgetAlertLines() =>
        [.. AlertLog.Entries.Where(e => e.Message.StartsWith("Budget alert (budget,", StringComparison.Ordinal)).Select(e => e.Message)];

    public void Dispose()
    {
        Metrics.Dispose();
        _services.Dispose();
        if (_ownsFolder)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

/// <summary>A configuration source whose values can be replaced at run time, raising the reload token as a file
/// watcher would.</summary>
internal sealed class ReloadableConfigurationSource : IConfigurationSource
{
    private readonly Provider _provider = new();

    public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

    public void Set(string key, string? value) => _provider.SetAndReload(new Dictionary<string, string?> { [key] = value });

    public void Set(IDictionary<string, string?> values) => _provider.SetAndReload(values);

    private sealed class Provider : ConfigurationProvider
    {
        public void SetAndReload(IDictionary<string, string?> values)
        {
            foreach (var (key, value) in values)
            {
                Data[key] = value;
            }

            try
            {
                OnReload();
            }
            catch (AggregateException ex) when (ex.Flatten().InnerExceptions.All(e => e is Microsoft.Extensions.Options.OptionsValidationException))
            {
                // IOptionsMonitor validates in its change callback and throws for invalid settings. A file provider
                // reloads on a background task, so the failure never reaches whoever edited the file; neither here.
            }
        }
    }
}

/// <summary>Keeps the measurements of one meter's instruments, by instrument name.</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<(double Value, Dictionary<string, object?> Tags)> Of(string instrument)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument).Select(m => (m.Value, m.Tags))];
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue;
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, copy));
        }
    }
}
