using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Benchmarks;

/// <summary>
/// A warm prediction with the LLM generator on, against a fake Anthropic Messages API on 127.0.0.1 that answers after
/// exactly <see cref="ProviderDelayMs"/>. The service's own work around the LLM call is the measured time minus that
/// delay: building the model's context, routing it (token count, complexity, decision, the cost ledger's line), the
/// SDK and HTTP round trip on loopback, parsing, critique, features and ranking of the merged pool. The local generator runs while the provider "thinks", so it should not show.
/// </summary>
[MemoryDiagnoser]
public class LlmOverheadBenchmarks : IDisposable
{
    /// <summary>What the fake provider takes to answer; subtract it from the measured times.</summary>
    public const int ProviderDelayMs = 100;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "opensesame-bench", Guid.NewGuid().ToString("n"));
    private HttpListener? _provider;
    private ServiceProvider? _services;
    private PredictionPipeline? _pipeline;
    private PredictionRequest[] _requests = [];
    private string _answer = "";
    private int _next;

    [Params("stripe", "github")]
    public string Spec { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        _provider = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        _provider.Start();
        _ = Task.Run(ServeAsync);

        (_services, var source, var catalog) = SharedSpecs.CreatePredictor(_dataDirectory, Spec, new Dictionary<string, string?>
        {
            ["Llm:Anthropic:ApiKey"] = "bench-key",
            ["Llm:Anthropic:BaseUrl"] = $"http://127.0.0.1:{port}",
            // The requests repeat; answered from the response cache they would measure the cache, not the call path.
            ["Llm:Cache:Enabled"] = "false",
        });
        _pipeline = _services.GetRequiredService<PredictionPipeline>();
        // Ten real operations spread over the spec, with one unknown to the spec that the critic must drop.
        var endpoints = Enumerable.Range(0, 10).Select(i => catalog.Operations[i * catalog.Operations.Count / 10].Key).Append("GET /not/in/this/spec");
        _answer = JsonSerializer.Serialize(new { candidates = endpoints.Select(e => new { endpoint = e, @params = new { }, reason = "the benchmark's model" }) });
        _requests = PredictionBenchmarks.BuildRequests(catalog, source);
        var stages = new List<IReadOnlyDictionary<string, double>>();
        foreach (var request in _requests.Concat(_requests))
        {
            var response = _pipeline.PredictAsync(request, CancellationToken.None).GetAwaiter().GetResult();
            if (!response.Metadata.Generators.Contains("llm"))
            {
                throw new InvalidOperationException("The fake provider's answer did not reach the pool: " + JsonSerializer.Serialize(response.Metadata));
            }

            var times = response.Metadata.StagesMs.ToDictionary();
            times["llm.call"] = response.Metadata.LlmCalls.Sum(c => c.Ms);
            stages.Add(times);
        }

        // Where the time goes, warm (the second round): the median of each stage, to read beside the measured totals.
        var warm = stages.Skip(_requests.Length).ToList();
        Console.WriteLine("// median stage ms (warm): " + string.Join(", ", warm[0].Keys.Select(stage =>
            $"{stage} {warm.Select(s => s.GetValueOrDefault(stage)).Order().ElementAt(warm.Count / 2):0.00}")));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    // BenchmarkDotNet needs the class unsealed, so the full pattern.
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _services?.Dispose();
            _services = null;
            ((IDisposable?)_provider)?.Dispose();
            _provider = null;
        }
    }

    [Benchmark]
    public async Task<int> WarmPredictWithLlm()
    {
        var request = _requests[_next++ % _requests.Length];
        return (await _pipeline!.PredictAsync(request, CancellationToken.None)).Predictions.Count;
    }

    private async Task ServeAsync()
    {
        while (_provider is { IsListening: true })
        {
            HttpListenerContext call;
            try
            {
                call = await _provider.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var reader = new StreamReader(call.Request.InputStream);
                await reader.ReadToEndAsync();
                await Task.Delay(ProviderDelayMs);
                var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
                {
                    id = "msg_bench",
                    type = "message",
                    role = "assistant",
                    model = "claude-3-haiku-20240307",
                    content = new[] { new { type = "text", text = _answer } },
                    stop_reason = "end_turn",
                    stop_sequence = (string?)null,
                    usage = new { input_tokens = 900, output_tokens = 120 },
                }));
                call.Response.ContentType = "application/json";
                call.Response.ContentLength64 = body.Length;
                await call.Response.OutputStream.WriteAsync(body);
                call.Response.Close();
            });
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
