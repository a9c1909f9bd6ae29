using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Benchmarks;

/// <summary>
/// A warm prediction, server side: the spec is cached, so this is history resolution, candidate generation over the
/// whole catalog, critique and ranking. Requests vary (different histories, ids and prompts, drawn with a fixed seed)
/// so that branch prediction does not flatter the numbers. <see cref="WarmPredict"/> cycles 64 requests, so their
/// prompts' embeddings are cached after the first round (a user's session repeats its prompt);
/// <see cref="WarmPredictNewPrompt"/> makes every prompt new, so each pays for its MiniLM embedding.
/// </summary>
[MemoryDiagnoser]
public class PredictionBenchmarks
{
    private const int RequestCount = 64;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "opensesame-bench", Guid.NewGuid().ToString("n"));
    private ServiceProvider? _services;
    private PredictionPipeline? _pipeline;
    private PredictionRequest[] _requests = [];
    private int _next;

    [Params("stripe", "github")]
    public string Spec { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        (_services, var source, var catalog) = SharedSpecs.CreatePredictor(_dataDirectory, Spec);
        _pipeline = _services.GetRequiredService<PredictionPipeline>();
        _requests = BuildRequests(catalog, source);
        foreach (var request in _requests)
        {
            _pipeline.PredictAsync(request, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services?.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Benchmark]
    public async Task<int> WarmPredict()
    {
        var request = _requests[_next++ % _requests.Length];
        return (await _pipeline!.PredictAsync(request, CancellationToken.None)).Predictions.Count;
    }

    [Benchmark]
    public async Task<int> WarmPredictNewPrompt()
    {
        var request = _requests[_next++ % _requests.Length];
        var fresh = request with { Prompt = $"{request.Prompt ?? "what next"} (take {_next})" };
        return (await _pipeline!.PredictAsync(fresh, CancellationToken.None)).Predictions.Count;
    }

    // Histories of 0-4 concrete calls on related operations, half with a prompt taken from another operation's
    // summary: realistic shapes without any hand-picked case.
    internal static PredictionRequest[] BuildRequests(EndpointCatalog catalog, SpecSource source)
    {
        var random = new Random(7);
        var requests = new PredictionRequest[RequestCount];
        for (var i = 0; i < RequestCount; i++)
        {
            var events = new List<HistoryEvent>();
            var length = random.Next(0, 5);
            for (var e = 0; e < length; e++)
            {
                var operation = catalog.Operations[random.Next(catalog.Operations.Count)];
                var path = string.Join('/', operation.PathTemplate.Split('/').Select(s =>
                    s.StartsWith('{') ? $"id_{random.Next(1000)}" : s));
                events.Add(new HistoryEvent(DateTimeOffset.UnixEpoch.AddSeconds(e * 30), operation.Method, path, HistoryEvent.NoParams));
            }

            var prompt = random.Next(2) == 0 ? catalog.Operations[random.Next(catalog.Operations.Count)].Summary : null;
            // The pipeline alone is measured: these requests are the benchmark's own, inspected by nobody.
            requests[i] = new PredictionRequest("bench", null, events, prompt, source, 5) { Injection = InjectionVerdict.Clean };
        }

        return requests;
    }
}
