using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenSesame.Predictor.Guardrails.Injection;

namespace OpenSesame.Cli.Simulation;

/// <summary>
/// A stand-in for Anthropic's Messages API (<c>POST /v1/messages</c>) on 127.0.0.1, for the replay simulator: the real
/// SDK talks to it over HTTP. It reads the question the service sends (the operations in the request's injection
/// fence, <see cref="UntrustedContent"/>), proposes a few of them, and reports usage as a provider would: input tokens
/// from the size of the request's text (one token per <see cref="CharsPerToken"/> characters), output tokens from the
/// size of its answer. The answer depends only on the question, so an identical question gets an identical answer and
/// a run repeats exactly.
/// </summary>
internal sealed class FakeAnthropicProvider : IDisposable
{
    /// <summary>Characters per token, the usual rule of thumb for English and JSON.</summary>
    public const int CharsPerToken = 4;

    private readonly HttpListener _listener;
    private readonly Task _serving;
    private int _requests;

    public FakeAnthropicProvider()
    {
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        _listener = new HttpListener { Prefixes = { BaseUrl + "/" } };
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>For <c>Llm:Anthropic:BaseUrl</c> (the SDK appends <c>/v1/messages</c>).</summary>
    public string BaseUrl { get; }

    /// <summary>Requests that reached the provider.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void Dispose()
    {
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext call;
            try
            {
                call = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(call));
        }
    }

    private async Task AnswerAsync(HttpListenerContext call)
    {
        try
        {
            using var reader = new StreamReader(call.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            Interlocked.Increment(ref _requests);
            var (status, answer) = call.Request.Url?.AbsolutePath == "/v1/messages"
                ? (200, Answer(body))
                : (404, JsonSerializer.Serialize(new { type = "error", error = new { type = "not_found_error", message = "Not found" } }));
            var bytes = Encoding.UTF8.GetBytes(answer);
            call.Response.StatusCode = status;
            call.Response.ContentType = "application/json";
            call.Response.ContentLength64 = bytes.Length;
            await call.Response.OutputStream.WriteAsync(bytes);
            call.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The service gave up on the call, or the run is over.
        }
    }

    /// <summary>The Messages API's answer to one request body.</summary>
    internal static string Answer(string requestBody)
    {
        using var request = JsonDocument.Parse(requestBody);
        var root = request.RootElement;
        var model = root.TryGetProperty("model", out var m) ? m.GetString() : null;
        var inputChars = (root.TryGetProperty("system", out var system) ? TextLength(system) : 0)
                         + (root.TryGetProperty("messages", out var messages) ? TextLength(messages) : 0);
        var text = Candidates(DataOf(root));
        return JsonSerializer.Serialize(new
        {
            id = "msg_sim_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requestBody)))[..24],
            type = "message",
            role = "assistant",
            model = model ?? "claude-3-haiku-20240307",
            content = new[] { new { type = "text", text } },
            stop_reason = "end_turn",
            stop_sequence = (string?)null,
            usage = new
            {
                input_tokens = Tokens(inputChars),
                output_tokens = Tokens(text.Length),
                cache_creation_input_tokens = 0,
                cache_read_input_tokens = 0,
            },
        });
    }

    /// <summary>
    /// What a model would propose: three to five of the operations shown, leaning to the top of the list (the
    /// service shows its own best guesses first), in an order that varies with the question; ids taken from the
    /// history where a path parameter's name matches one there. Deterministic: the question seeds the choice.
    /// </summary>
    private static string Candidates(string? data)
    {
        var operations = new List<(string Endpoint, List<string> PathParams)>();
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        var count = 5;
        string? last = null;
        if (data is not null)
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.TryGetProperty("operations", out var ops) && ops.ValueKind == JsonValueKind.Array)
            {
                foreach (var op in ops.EnumerateArray())
                {
                    var endpoint = op.TryGetProperty("endpoint", out var e) ? e.GetString() : null;
                    if (endpoint is null)
                    {
                        continue;
                    }

                    var pathParams = op.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Array
                        ? p.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Contains("(path", StringComparison.Ordinal))
                            .Select(x => x[..x.IndexOf(' ', StringComparison.Ordinal)]).ToList()
                        : [];
                    operations.Add((endpoint, pathParams));
                }
            }

            if (root.TryGetProperty("history", out var history) && history.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in history.EnumerateArray())
                {
                    last = call.TryGetProperty("endpoint", out var e) ? e.GetString() : last;
                    if (call.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var value in p.EnumerateObject().Where(v => v.Value.ValueKind == JsonValueKind.String))
                        {
                            known[value.Name] = value.Value.GetString()!;
                        }
                    }
                }
            }

            if (root.TryGetProperty("count", out var c) && c.TryGetInt32(out var n))
            {
                count = n;
            }
        }

        var random = new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(data ?? ""))));
        var wanted = Math.Min(Math.Min(count, operations.Count), 3 + random.Next(3));
        var window = Math.Min(operations.Count, 12);
        var chosen = new List<int>();
        while (chosen.Count < wanted)
        {
            // u² leans to the top of the window; the first free slot below a taken one keeps the loop short.
            var index = (int)(Math.Pow(random.NextDouble(), 2) * window);
            while (chosen.Contains(index))
            {
                index = (index + 1) % window;
            }

            chosen.Add(index);
        }

        var candidates = chosen.Select(i => operations[i]).Select(op => new
        {
            endpoint = op.Endpoint,
            @params = op.PathParams.Where(known.ContainsKey).ToDictionary(p => p, p => known[p]),
            reason = last is null ? "a usual first step in this API" : $"commonly follows {last}",
        });
        return JsonSerializer.Serialize(new { candidates });
    }

    /// <summary>The JSON inside the user message's fence (<c>&lt;untrusted_data source="request"&gt;</c>), or null when
    /// there is none. The service's JSON escapes every character the fence would, so it is read as it is.</summary>
    private static string? DataOf(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var text in messages.EnumerateArray().SelectMany(Texts))
        {
            var open = text.IndexOf("<" + UntrustedContent.Tag, StringComparison.Ordinal);
            var start = open < 0 ? -1 : text.IndexOf('>', open) + 1;
            var end = text.LastIndexOf("</" + UntrustedContent.Tag + ">", StringComparison.Ordinal);
            if (start > 0 && end > start)
            {
                return text[start..end];
            }
        }

        return null;
    }

    // A message's content is a string or an array of blocks with "text".
    private static IEnumerable<string> Texts(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            yield break;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            yield return content.GetString()!;
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    yield return t.GetString()!;
                }
            }
        }
    }

    /// <summary>Characters of every string in the element: what the model reads.</summary>
    private static int TextLength(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!.Length,
        JsonValueKind.Array => element.EnumerateArray().Sum(TextLength),
        JsonValueKind.Object => element.EnumerateObject().Sum(p => TextLength(p.Value)),
        _ => 0,
    };

    private static int Tokens(int chars) => Math.Max(1, (chars + CharsPerToken - 1) / CharsPerToken);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
