namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>
/// The LLM candidate generator. Section "Llm" of the configuration. A provider is enabled when it has a key (from
/// its section, or the usual environment variables <c>ANTHROPIC_API_KEY</c> / <c>OPENAI_API_KEY</c>); with no key at
/// all no LLM generator is registered and predictions are purely local.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary>Tried first. Model default <c>claude-3-haiku-20240307</c>: the cheapest, fastest Claude, enough for
    /// picking operations out of a short list.</summary>
    public LlmProviderOptions Anthropic { get; set; } = new()
    {
        Model = "claude-3-haiku-20240307",
        InputUsdPerMillionTokens = 0.25m,
        OutputUsdPerMillionTokens = 1.25m,
    };

    /// <summary>Tried when Anthropic fails or times out. Model default <c>gpt-3.5-turbo</c>.</summary>
    public LlmProviderOptions OpenAI { get; set; } = new()
    {
        Model = "gpt-3.5-turbo",
        InputUsdPerMillionTokens = 0.50m,
        OutputUsdPerMillionTokens = 1.50m,
    };

    /// <summary>Longest wait for one provider before the next is tried. Default 2 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest the generator may take in all; past it the LLM adds nothing and the local candidates answer
    /// alone. Default 3 s.</summary>
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

    /// <summary>The settings of the provider named "anthropic" or "openai".</summary>
    public LlmProviderOptions Provider(string name) =>
        name == LlmProviders.OpenAIName ? OpenAI : Anthropic;
}

/// <summary>One provider: its key, model and endpoint.</summary>
public sealed class LlmProviderOptions
{
    /// <summary>The API key; empty disables the provider unless the environment variable supplies one.</summary>
    public string? ApiKey { get; set; }

    public string Model { get; set; } = "";

    /// <summary>The API's base URL; empty takes the <c>ANTHROPIC_BASE_URL</c> / <c>OPENAI_BASE_URL</c> configuration
    /// key, else the SDK's default (<c>https://api.anthropic.com</c>, <c>https://api.openai.com/v1</c>). Tests point it
    /// at a local fake.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>US dollars per million input tokens, for the cost in each response. Defaults: the providers' list
    /// prices of the default models (Claude 3 Haiku $0.25, GPT-3.5 Turbo $0.50).</summary>
    public decimal InputUsdPerMillionTokens { get; set; }

    /// <summary>US dollars per million output tokens (Claude 3 Haiku $1.25, GPT-3.5 Turbo $1.50).</summary>
    public decimal OutputUsdPerMillionTokens { get; set; }

    /// <summary>What a call that used these tokens costs; unreported tokens count as none.</summary>
    public decimal Cost(long? inputTokens, long? outputTokens) =>
        (((inputTokens ?? 0) * InputUsdPerMillionTokens) + ((outputTokens ?? 0) * OutputUsdPerMillionTokens)) / 1_000_000m;
}
