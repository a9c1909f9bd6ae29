using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Evaluation.Replay;

/// <summary>What the service answered a replay's request, in HTTP terms whatever the transport.</summary>
/// <param name="Status">200 answered, 400 refused for its fields, 422 spec unusable, or the HTTP status received.</param>
/// <param name="Endpoints">The predictions' "METHOD /template", best first; empty unless answered.</param>
/// <param name="ModelVersion">The answer's model version; null unless answered.</param>
/// <param name="Problem">What a refusal said (its title and fields), for the report; null when answered.</param>
internal sealed record ReplayAnswer(int Status, IReadOnlyList<string> Endpoints, string? ModelVersion = null, string? Problem = null)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>Where a replay sends its requests: the service in this process, or one over HTTP.</summary>
internal interface IReplayTarget
{
    /// <exception cref="ReplayTargetException">Every further request would fail the same way (unreachable, refused
    /// credentials, no <c>/predict</c> there).</exception>
    Task<ReplayAnswer> PredictAsync(PredictRequest request, CancellationToken cancellationToken);
}

/// <summary>The replay cannot go on: the service is unreachable, refuses the credentials, or is not there.</summary>
/// <param name="afterAnswers">The service had answered before: it went away or changed during the run, which is no
/// fault of the command's input.</param>
internal sealed class ReplayTargetException(string message, bool afterAnswers = false, Exception? inner = null)
    : Exception(message, inner)
{
    public bool AfterAnswers => afterAnswers;
}

/// <summary>The application service every host calls, in this process: the same outcomes <c>/predict</c> turns into
/// 200, 400 and 422.</summary>
internal sealed class ServiceReplayTarget(PredictionService service) : IReplayTarget
{
    public async Task<ReplayAnswer> PredictAsync(PredictRequest request, CancellationToken cancellationToken) =>
        await service.PredictAsync(request, cancellationToken) switch
        {
            PredictionOutcome.Answered answered => new ReplayAnswer(200,
                [.. answered.Response.Predictions.Select(p => p.Endpoint)], answered.Response.ModelVersion),
            PredictionOutcome.Refused refused => new ReplayAnswer(400, [],
                Problem: $"{refused.Title} {string.Join("; ", refused.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}"),
            PredictionOutcome.SpecUnusable unusable => new ReplayAnswer(422, [], Problem: unusable.Reason),
            var other => throw new InvalidOperationException($"Unknown prediction outcome {other}."),
        };
}

/// <summary>
/// <c>POST /predict</c> of a running service, as any client sends it (the contract's snake_case JSON, the API key as a
/// bearer token when there is one). A 429 is waited out as its <c>Retry-After</c> says, up to
/// <see cref="MaxThrottledRetries"/> times per request, because a client that respects the limit is what the service
/// expects and the answer is still the one to score. 401, 403, 404 and 405 end the replay: the key or the address is
/// wrong, and every request would fail the same way.
/// </summary>
internal sealed class HttpReplayTarget(HttpClient client, TimeProvider time) : IReplayTarget
{
    public const int MaxThrottledRetries = 10;

    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(2);

    /// <summary>Requests that were throttled and sent again.</summary>
    public int ThrottledRetries { get; private set; }

    /// <summary>Requests the service answered (any status but the ones that end the replay).</summary>
    public int Answered { get; private set; }

    /// <summary>A client on <paramref name="baseAddress"/> (its path kept: <c>http://host/prefix/</c> posts to
    /// <c>/prefix/predict</c>), with the API key as a bearer token when one is given.</summary>
    public static HttpClient CreateClient(Uri baseAddress, string? apiKey)
    {
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        var client = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromMinutes(2) };
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Trim());
        }

        return client;
    }

    /// <summary>Checks before the first case that something answers HTTP at the address (<c>GET health/live</c>, whatever
    /// its status), so an unreachable service is one clear error instead of a failed first case.</summary>
    /// <exception cref="ReplayTargetException">Nothing answers.</exception>
    public async Task EnsureReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync("health/live", cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ReplayTargetException($"Cannot reach {client.BaseAddress}: {ex.Message}", inner: ex);
        }
    }

    public async Task<ReplayAnswer> PredictAsync(PredictRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < MaxThrottledRetries)
            {
                ThrottledRetries++;
                await Task.Delay(RetryAfter(response), time, cancellationToken);
                continue;
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new ReplayTargetException($"{client.BaseAddress}predict answered {status}: "
                    + $"{await ProblemAsync(response, cancellationToken)} Pass an API key with the 'predict' role "
                    + "(--api-key or OPENSESAME_API_KEY).", Answered > 0);
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            {
                throw new ReplayTargetException($"{client.BaseAddress}predict answered {status}: no prediction service "
                    + "there. Give --url the service's root (http://127.0.0.1:8080).", Answered > 0);
            }

            var answer = response.IsSuccessStatusCode
                ? await AnswerAsync(response, cancellationToken)
                : new ReplayAnswer(status, [], Problem: await ProblemAsync(response, cancellationToken));
            Answered++;
            return answer;
        }
    }

    // The predictions' endpoints and the model version; anything else is not this service's answer.
    private async Task<ReplayAnswer> AnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken),
                cancellationToken: cancellationToken);
            var root = body.RootElement;
            return new ReplayAnswer((int)response.StatusCode,
                [.. root.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("endpoint").GetString() ?? "")],
                root.TryGetProperty("model_version", out var version) ? version.GetString() : null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ReplayTargetException($"{client.BaseAddress}predict answered {(int)response.StatusCode} with something "
                + "other than predictions; is it this prediction service?", Answered > 0, ex);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(PredictRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.PostAsJsonAsync("predict", request, ContractJson.Options, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ReplayTargetException($"Lost {client.BaseAddress}: {ex.Message}", Answered > 0, ex);
        }
    }

    private TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var wait = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => TimeSpan.FromSeconds(1),
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestWait ? LongestWait : wait;
    }

    // The problem details' title, detail and field errors, in one line, for the report.
    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(text);
            var root = problem.RootElement;
            var parts = new List<string>();
            foreach (var name in new[] { "title", "detail" })
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    parts.Add(value.GetString()!);
                }
            }

            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                parts.Add(string.Join("; ", errors.EnumerateObject().Select(e => $"{e.Name}: {e.Value}")));
            }

            return string.Join(" ", parts);
        }
        catch (JsonException)
        {
            return text.Length <= 200 ? text : text[..200] + "…";
        }
    }
}
