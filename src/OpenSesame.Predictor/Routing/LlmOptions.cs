namespace OpenSesame.Predictor.Routing;

/// <summary>
/// The LLM candidate generator. Section "Llm" of the configuration. A provider is enabled when it has a key (from
/// its section, or the usual environment variables <c>ANTHROPIC_API_KEY</c> / <c>OPENAI_API_KEY</c>); with no key at
/// all no LLM generator is registered and predictions are purely local. Which model answers, and at what price, is
/// the routing catalog's business (<c>Routing:Models</c>, see <c>RoutingOptions</c>): this section holds the
/// providers' keys and endpoints, and how long and how much a question may take.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary>Anthropic's key and endpoint. Its models (Claude 3 Haiku, Claude 3 Sonnet by default) are named in the
    /// routing catalog and all go through this one client.</summary>
    public LlmProviderOptions Anthropic { get; set; } = new();

    /// <summary>OpenAI's key and endpoint. Its model (GPT-3.5 Turbo by default) is named in the routing catalog.</summary>
    public LlmProviderOptions OpenAI { get; set; } = new();

    /// <summary>Longest wait for one model, its retries included, before the route's fallback is tried: the timeout
    /// of the provider's resilience pipeline. Default 2 s (10 ms to a day).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest the generator may take in all, fallback included: the question's one deadline, set when it is
    /// asked; past it the LLM adds nothing and the local candidates answer alone. Default 3 s.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Operations shown to the model: the local generator's best, never the whole spec (a 900-operation spec
    /// would cost thousands of tokens and seconds). Default 40.</summary>
    public int ContextOperations { get; set; } = 40;

    /// <summary>Candidates asked for beyond <c>k</c>, to absorb answers the catalog rejects. Smaller than the
    /// pipeline's own buffer because every output token costs latency. Default 5.</summary>
    public int CandidateBuffer { get; set; } = 5;

    /// <summary>Output token cap per answer. Default 1,024.</summary>
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>Most recent history events shown to the model. Default 20.</summary>
    public int HistoryEvents { get; set; } = 20;

    /// <summary>Retries and the circuit breaker around each provider's HTTP calls. Section "Llm:Resilience".</summary>
    public LlmResilienceOptions Resilience { get; set; } = new();

    /// <summary>The optional second pass over doubtful or destructive suggestions. Off by default.</summary>
    public LlmReviewOptions Review { get; set; } = new();

    /// <summary>Answers kept for identical questions. Section "Llm:Cache"; on by default.</summary>
    public LlmCacheOptions Cache { get; set; } = new();
}

/// <summary>One provider: its key and endpoint.</summary>
public sealed class LlmProviderOptions
{
    /// <summary>The API key; empty disables the provider unless the environment variable supplies one.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The API's base URL; empty takes the <c>ANTHROPIC_BASE_URL</c> / <c>OPENAI_BASE_URL</c> configuration
    /// key, else the SDK's default (<c>https://api.anthropic.com</c>, <c>https://api.openai.com/v1</c>). Tests point it
    /// at a local fake.</summary>
    public string? BaseUrl { get; set; }
}

/// <summary>
/// The response cache in front of the router (section "Llm:Cache"): a question identical to one answered within
/// <see cref="Ttl"/> (the same messages, after redaction, and the same requested model and answer shape) is answered
/// from memory or, after a restart or on another instance sharing the file, from the SQLite database, with no routing
/// decision and no cost. Only answers in the shape the caller needed are kept.
/// </summary>
public sealed class LlmCacheOptions
{
    /// <summary>Default true: a user repeating a question within the hour costs nothing the second time.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long an answer is reused. Default 1 hour: long enough for a session's repeats, short enough that a
    /// changed spec or prompt recipe is not answered from an old context for long (either changes the messages, hence
    /// the key, anyway).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// How each provider's HTTP calls are retried and when a provider is skipped altogether (Polly's retry and circuit
/// breaker, on the service's <c>TimeProvider</c>). Every provider has its own circuit, so a failing Anthropic does not
/// stop OpenAI. All of it lives inside the question's time: a provider's retries share its
/// <see cref="LlmOptions.AttemptTimeout"/>, which cuts a wait that would outlast it, and the question's
/// <see cref="LlmOptions.Deadline"/> cancels everything still running.
/// </summary>
public sealed class LlmResilienceOptions
{
    /// <summary>Retries after the first try, on 408, 429, 5xx (529 is Anthropic's "overloaded") and transport errors.
    /// Default 2: a blip is usually over after one or two short waits, and more would eat the fallback's time.
    /// 0 turns retries off.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The typical wait before the first retry when the provider names none; Polly's exponential backoff
    /// grows it per retry, with jitter so that many requests failing together do not come back together. Default
    /// 200 ms: short enough for two retries inside a 2 s attempt.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait before a retry: the backoff never waits longer (Polly's <c>MaxDelay</c>), and a
    /// provider whose <c>Retry-After</c> asks for longer is not retried but given up on at once, so the fallback gets
    /// the time: a prediction is worth little after a few seconds. Default 1 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Share of failed attempts within <see cref="SamplingDuration"/> that opens the circuit. An attempt is
    /// one question's call to the provider, its retries included; it failed when it ended in an error or a transient
    /// status, or used up <see cref="LlmOptions.AttemptTimeout"/>, not when the question's deadline or the caller cut
    /// it short. Default 0.5: a provider failing every other question costs more latency than it adds
    /// candidates.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Attempts within <see cref="SamplingDuration"/> before the ratio counts, so one unlucky call cannot open
    /// the circuit. Default 4 (at least 2).</summary>
    public int MinimumThroughput { get; set; } = 4;

    /// <summary>The window the failure ratio is measured over. Default 30 s (at least 0.5 s).</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit skips the provider before one trial call is let through. Default 15 s
    /// (at least 0.5 s): long enough to spare predictions an outage's timeouts, short enough to notice recovery.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// The second pass (section "Llm:Review"): a language model reviews the final list's low-confidence or destructive
/// suggestions and may veto them. Off by default, because it is a second round trip on the requests it applies to.
/// </summary>
public sealed class LlmReviewOptions
{
    public bool Enabled { get; set; }

    /// <summary>Suggestions scored below this are reviewed (destructive ones always). Default 0.1: the bottom of a
    /// typical top 5.</summary>
    public double LowConfidence { get; set; } = 0.1;

    /// <summary>Longest the review may take; past it the list stands unreviewed. Default 1 s.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>No review when the prediction's language-model calls already cost this much (US dollars). Default
    /// $0.002, several Claude 3 Haiku generations.</summary>
    public decimal MaxPredictionCostUsd { get; set; } = 0.002m;
}
