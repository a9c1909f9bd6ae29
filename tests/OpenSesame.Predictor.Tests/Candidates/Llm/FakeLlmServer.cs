using System.Text.Json;

namespace OpenSesame.Predictor.Tests.Candidates.Llm;

/// <summary>
/// A fake Anthropic Messages API (<c>POST /v1/messages</c>) and OpenAI Chat Completions API
/// (<c>POST /v1/chat/completions</c>) on 127.0.0.1, speaking their wire formats (usage included), so the real SDKs
/// run against it. Each API answers with what its function returns (<see cref="InTurn"/> for a different reply per
/// request); <see cref="Reply.Hang"/> never answers.
/// </summary>
internal sealed class FakeLlmServer : IDisposable
{
    public const string MessagesPath = "/v1/messages";
    public const string CompletionsPath = "/v1/chat/completions";

    private readonly LoopbackHttpServer _server;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(string Path, string Body)> _requests = [];
    private readonly List<(string Path, int Count, TaskCompletionSource Arrived)> _awaited = [];

    public FakeLlmServer(Func<Reply> anthropic, Func<Reply>? openAI = null)
    {
        _server = new LoopbackHttpServer(async (request, response) =>
        {
            using var reader = new StreamReader(request.InputStream);
            var body = await reader.ReadToEndAsync();
            var path = request.Url!.AbsolutePath;
            lock (_requests)
            {
                _requests.Add((path, body));
                var count = _requests.Count(r => r.Path == path);
                foreach (var awaited in _awaited.Where(a => a.Path == path && a.Count <= count))
                {
                    awaited.Arrived.TrySetResult();
                }
            }

            var reply = path switch
            {
                MessagesPath => anthropic(),
                CompletionsPath when openAI is not null => openAI(),
                _ => Reply.Status(404),
            };
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                response.AddHeader(name, value);
            }

            if (reply.Hangs)
            {
                await Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            var model = RequestedModel(body);
            return (reply.StatusCode, path == MessagesPath ? reply.AnthropicBody(model) : reply.OpenAIBody(model));
        });
    }

    /// <summary>For <c>Llm:Anthropic:BaseUrl</c> (the SDK appends <c>/v1/messages</c>).</summary>
    public string AnthropicBaseUrl => _server.Url("");

    /// <summary>For <c>Llm:OpenAI:BaseUrl</c> (the SDK appends <c>/chat/completions</c>).</summary>
    public string OpenAIBaseUrl => _server.Url("/v1");

    public IReadOnlyList<(string Path, string Body)> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The model ids the requests asked for, in order.</summary>
    public IReadOnlyList<string?> Models => [.. Requests.Select(r => RequestedModel(r.Body))];

    /// <summary>How many requests reached <paramref name="path"/>.</summary>
    public int Count(string path) => Requests.Count(r => r.Path == path);

    /// <summary>Completes once <paramref name="count"/> requests have reached <paramref name="path"/>, now or earlier;
    /// fails the test if they do not within a minute.</summary>
    public Task ReceivedAsync(string path, int count = 1)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_requests)
        {
            if (_requests.Count(r => r.Path == path) >= count)
            {
                return Task.CompletedTask;
            }

            _awaited.Add((path, count, arrived));
        }

        return arrived.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>The replies in order, one per request; the last one repeats.</summary>
    public static Func<Reply> InTurn(params Reply[] replies)
    {
        var next = -1;
        return () => replies[Math.Min(Interlocked.Increment(ref next), replies.Length - 1)];
    }

    /// <param name="retries"><c>Llm:Resilience:MaxRetries</c>; off unless asked, so that tests about the generator
    /// see one request per provider.</param>
    /// <param name="cache"><c>Llm:Cache:Enabled</c>; off unless asked, so that tests about the providers see every
    /// question reach them (repeating a question is how several of them drive a provider).</param>
    public static Dictionary<string, string?> Settings(FakeLlmServer server,
        double attemptSeconds = 20, double deadlineSeconds = 40, int retries = 0, bool cache = false) => new()
        {
            ["Llm:Cache:Enabled"] = cache ? "true" : "false",
            ["Llm:Resilience:MaxRetries"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Llm:Anthropic:ApiKey"] = "test-anthropic-key",
            ["Llm:Anthropic:BaseUrl"] = server.AnthropicBaseUrl,
            ["Llm:OpenAI:ApiKey"] = "test-openai-key",
            ["Llm:OpenAI:BaseUrl"] = server.OpenAIBaseUrl,
            ["Llm:AttemptTimeout"] = TimeSpan.FromSeconds(attemptSeconds).ToString(),
            ["Llm:Deadline"] = TimeSpan.FromSeconds(deadlineSeconds).ToString(),
            ["Prediction:SemanticRetrieval"] = "false",
        };

    private static string? RequestedModel(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("model", out var model) ? model.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _server.Dispose();
        _stopping.Dispose();
    }

    /// <summary>What one API call answers: the model's text with token usage, an HTTP error, or nothing ever; with
    /// any response headers.</summary>
    /// <param name="ToolUse">The text is the JSON input of a tool call (Anthropic <c>tool_use</c>, OpenAI
    /// <c>tool_calls</c>) rather than the message text.</param>
    public sealed record Reply(int StatusCode, string? Text, bool Hangs = false, int InputTokens = 812, int OutputTokens = 95,
        IReadOnlyDictionary<string, string>? Headers = null, bool ToolUse = false)
    {
        public static Reply WithText(string text) => new(200, text);

        public static Reply Status(int status) => new(status, null);

        public static Reply Hang() => new(200, null, Hangs: true);

        /// <summary>An HTTP error asking to be retried after <paramref name="seconds"/>.</summary>
        public static Reply RetryAfter(int status, int seconds) =>
            new(status, null, Headers: new Dictionary<string, string> { ["retry-after"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        public static Reply Candidates(params string[] endpoints) => WithText(CandidatesJson(endpoints));

        /// <summary>The candidates as the input of a tool call, as a model answers when it is asked through tool use.</summary>
        public static Reply CandidatesAsToolUse(params string[] endpoints) => new(200, CandidatesJson(endpoints), ToolUse: true);

        private static string CandidatesJson(string[] endpoints) => JsonSerializer.Serialize(new
        {
            candidates = endpoints.Select(e => new { endpoint = e, @params = new Dictionary<string, string>(), reason = "the fake model likes " + e }),
        });

        /// <param name="model">The model the request asked for, echoed as the APIs do.</param>
        public string AnthropicBody(string? model = null) => Text is null
            ? JsonSerializer.Serialize(new { type = "error", error = new { type = "api_error", message = "Internal server error" } })
            : JsonSerializer.Serialize(new
            {
                id = "msg_01XFDUDYJgAACzvnptvVoYEL",
                type = "message",
                role = "assistant",
                model = model ?? "claude-3-haiku-20240307",
                content = ToolUse
                    ? new object[] { new { type = "tool_use", id = "toolu_01A09q90qw90lq917835lq9", name = "propose_calls", input = JsonDocument.Parse(Text).RootElement } }
                    : [new { type = "text", text = Text }],
                stop_reason = ToolUse ? "tool_use" : "end_turn",
                stop_sequence = (string?)null,
                usage = new { input_tokens = InputTokens, output_tokens = OutputTokens, cache_creation_input_tokens = 0, cache_read_input_tokens = 0 },
            });

        public string OpenAIBody(string? model = null) => Text is null
            ? JsonSerializer.Serialize(new { error = new { message = "The server had an error", type = "server_error", param = (string?)null, code = (string?)null } })
            : JsonSerializer.Serialize(new
            {
                id = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
                @object = "chat.completion",
                created = 1741569952,
                model = model ?? "gpt-3.5-turbo-0125",
                choices = new[]
                {
                    ToolUse
                        ? new
                        {
                            index = 0,
                            message = (object)new
                            {
                                role = "assistant",
                                content = (string?)null,
                                refusal = (string?)null,
                                tool_calls = new[] { new { id = "call_abc123", type = "function", function = new { name = "propose_calls", arguments = Text } } },
                            },
                            logprobs = (object?)null,
                            finish_reason = "tool_calls",
                        }
                        : new { index = 0, message = (object)new { role = "assistant", content = Text, refusal = (string?)null }, logprobs = (object?)null, finish_reason = "stop" },
                },
                usage = new { prompt_tokens = InputTokens, completion_tokens = OutputTokens, total_tokens = InputTokens + OutputTokens },
                service_tier = "default",
            });
    }
}
