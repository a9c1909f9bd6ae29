using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenSesame.Load;

/// <summary>What one run measured: latencies of the answered requests, failures by kind, and the service process.</summary>
internal sealed record LoadResult(
    string Scenario, int Clients, int Requests, int Errors, IReadOnlyDictionary<string, int> ErrorKinds,
    double Seconds, double PerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs,
    ProcessSample? Before, ProcessSample? After, double? ServiceCpuSeconds, double ClientCpuSeconds,
    IReadOnlyDictionary<string, double>? MedianStagesMs, string? Label);

/// <summary>Resident memory of a process now and at its peak (<c>VmRSS</c> / <c>VmHWM</c>, MiB), and its CPU time.</summary>
internal sealed record ProcessSample(double RssMb, double PeakMb, double CpuSeconds)
{
    public static ProcessSample? Of(int? pid)
    {
        if (pid is not { } id)
        {
            return null;
        }

        var status = File.Exists($"/proc/{id}/status") ? File.ReadAllLines($"/proc/{id}/status") : [];
        if (!status.Any(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)))
        {
            // Gone, or a zombie, which has no memory left to read: the run's rows still print, without it.
            Console.Error.WriteLine($"process {id} has exited: its memory and CPU are not reported");
            return null;
        }

        double Mb(string field) => double.Parse(status.First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        using var process = Process.GetProcessById(id);
        return new ProcessSample(Mb("VmRSS"), Mb("VmHWM"), process.TotalProcessorTime.TotalSeconds);
    }
}

/// <summary>
/// A closed loop: each client sends its next request as soon as its last one is answered, until the run's count or
/// time is used up, whichever comes first. Latency is measured on the client, from sending to the last byte read.
/// </summary>
internal static class LoadRun
{
    public static async Task<LoadResult> RunAsync(LoadSettings settings, CancellationToken cancellationToken)
    {
        var body = Scenarios.For(settings);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Clients, UseProxy = false })
        {
            BaseAddress = settings.Url,
            Timeout = settings.RequestTimeout,
        };
        var cold = Scenarios.IsCold(settings.Scenario);
        long next = 0;
        long sequence = -1;
        long Sequence() => Interlocked.Increment(ref sequence);
        if (!cold && settings.WarmUp > 0)
        {
            await LoopAsync(http, body, Sequence, settings.Clients, () => Interlocked.Increment(ref next) - 1 < settings.WarmUp, null, null, cancellationToken);
        }

        var before = ProcessSample.Of(settings.Pid);
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var latencies = new ConcurrentBag<double>();
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var stages = cold ? new ConcurrentBag<Dictionary<string, double>>() : null;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        var sent = 0L;
        await LoopAsync(http, body, Sequence, settings.Clients,
            () => Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref sent) <= settings.MaxRequests,
            (ms, error) =>
            {
                latencies.Add(ms);
                if (error is not null)
                {
                    errors.AddOrUpdate(error, 1, (_, n) => n + 1);
                }
            }, stages, cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var after = ProcessSample.Of(settings.Pid);

        var ok = latencies.Count - errors.Values.Sum();
        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new LoadResult(settings.Scenario, settings.Clients, sorted.Length, errors.Values.Sum(), errors,
            seconds, ok / seconds, Percentile(0.50), Percentile(0.95), Percentile(0.99), sorted.LastOrDefault(),
            before, after, after?.CpuSeconds - before?.CpuSeconds,
            (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalSeconds,
            stages is null ? null : Medians(stages), settings.Label);
    }

    // The sequence runs on from the warm-up into the measured loop, so a scenario's "new" prompts are new to the service.
    private static Task LoopAsync(HttpClient http, Func<long, byte[]> body, Func<long> sequence, int clients, Func<bool> another,
        Action<double, string?>? record, ConcurrentBag<Dictionary<string, double>>? stages, CancellationToken cancellationToken)
    {
        return Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (another() && !cancellationToken.IsCancellationRequested)
            {
                var json = body(sequence());
                var start = Stopwatch.GetTimestamp();
                var error = await SendAsync(http, json, stages, cancellationToken);
                record?.Invoke(Stopwatch.GetElapsedTime(start).TotalMilliseconds, error);
            }
        }, cancellationToken)));
    }

    // Null when the service answered 200; else what went wrong, as the error table counts it.
    private static async Task<string?> SendAsync(HttpClient http, byte[] json, ConcurrentBag<Dictionary<string, double>>? stages,
        CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(json);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var response = await http.PostAsync("predict", content, cancellationToken);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"http {(int)response.StatusCode}";
            }

            stages?.Add(StagesOf(answer));
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException ex)
        {
            return ex.HttpRequestError.ToString();
        }
    }

    private static Dictionary<string, double> StagesOf(byte[] answer)
    {
        using var document = JsonDocument.Parse(answer);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (document.RootElement.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("stages_ms", out var stagesMs))
        {
            foreach (var stage in stagesMs.EnumerateObject())
            {
                result[stage.Name] = stage.Value.GetDouble();
            }
        }

        return result;
    }

    private static Dictionary<string, double> Medians(IEnumerable<Dictionary<string, double>> stages)
    {
        var all = stages.ToList();
        return all.SelectMany(s => s.Keys).Distinct().Order(StringComparer.Ordinal).ToDictionary(
            stage => stage,
            stage =>
            {
                var values = all.Select(s => s.GetValueOrDefault(stage)).Order().ToArray();
                return values[values.Length / 2];
            },
            StringComparer.Ordinal);
    }
}
