using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;

namespace OpenSesame.Predictor.Routing;

/// <summary>A provider the router may send a question to, with a chat client for each of its models. The model id
/// is also set on every request's <see cref="ChatOptions.ModelId"/>, which the Anthropic client honours, so one
/// Anthropic client serves Haiku and Sonnet alike; OpenAI's chat clients are bound to one model each.</summary>
public sealed class LlmProvider : IDisposable
{
    private readonly Func<string, IChatClient> _create;
    // Lazy: two first questions to one model at once must not build two clients, one of which nobody would dispose.
    private readonly ConcurrentDictionary<string, Lazy<IChatClient>> _clients = new(StringComparer.Ordinal);

    public LlmProvider(string name, Func<string, IChatClient> clientFor)
    {
        Name = name;
        _create = clientFor;
    }

    /// <summary>"anthropic" or "openai", as the routing catalog names providers.</summary>
    public string Name { get; }

    /// <summary>The client that asks <paramref name="modelId"/>; made on first use and kept.</summary>
    public IChatClient ClientFor(string modelId) =>
        _clients.GetOrAdd(modelId, id => new Lazy<IChatClient>(() => _create(id))).Value;

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated).Select(c => c.Value).Distinct())
        {
            client.Dispose();
        }
    }
}

/// <summary>The configured providers (those with a key); owns (and disposes) their clients.</summary>
public sealed class LlmProviderList(IReadOnlyList<LlmProvider> providers) : IDisposable
{
    public IReadOnlyList<LlmProvider> Providers { get; } = providers;

    /// <summary>The provider of that name, when it has a key.</summary>
    public LlmProvider? Find(string name) => Providers.FirstOrDefault(p => p.Name == name);

    public void Dispose()
    {
        foreach (var provider in Providers)
        {
            provider.Dispose();
        }
    }
}

/// <summary>Builds the configured providers on the official SDKs, behind <see cref="IChatClient"/>.</summary>
internal static class LlmProviders
{
    public const string AnthropicName = "anthropic";
    public const string OpenAIName = "openai";

    /// <summary>Anthropic and OpenAI; a provider without a key is absent. Each SDK sends through its own named client
    /// from <paramref name="httpClients"/>, which carries that provider's resilience pipeline (one circuit per
    /// provider, whichever of its models is asked).</summary>
    public static LlmProviderList Create(LlmOptions options, IHttpClientFactory httpClients)
    {
        var providers = new List<LlmProvider>();
        if (!string.IsNullOrWhiteSpace(options.Anthropic.ApiKey))
        {
            var anthropic = CreateAnthropic(options, httpClients.CreateClient(LlmResilience.AnthropicHttpClient));
            providers.Add(new LlmProvider(AnthropicName, _ => anthropic));
        }

        if (!string.IsNullOrWhiteSpace(options.OpenAI.ApiKey))
        {
            var openAI = CreateOpenAI(options, httpClients.CreateClient(LlmResilience.OpenAIHttpClient));
            providers.Add(new LlmProvider(OpenAIName, model => openAI.GetChatClient(model).AsIChatClient()));
        }

        return new LlmProviderList(providers);
    }

    // Retries and timeouts are off in both SDKs: LlmResilience retries below them, within the attempt's timeout on the
    // service's TimeProvider, and the question's deadline cancels the call. A second retry loop on top would multiply
    // the tries, and a second timeout would be another clock (the system's) racing the attempt's.
    private static IChatClient CreateAnthropic(LlmOptions options, HttpClient httpClient)
    {
        var client = new AnthropicClient
        {
            HttpClient = httpClient,
            ApiKey = options.Anthropic.ApiKey,
            MaxRetries = 0,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrWhiteSpace(options.Anthropic.BaseUrl))
        {
            client = (AnthropicClient)client.WithOptions(o => o with { BaseUrl = options.Anthropic.BaseUrl });
        }

        // No default model: the router names one on every request (ChatOptions.ModelId).
        return client.AsIChatClient(defaultModelId: null, options.MaxOutputTokens);
    }

    private static OpenAIClient CreateOpenAI(LlmOptions options, HttpClient httpClient)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(httpClient),
            NetworkTimeout = System.Threading.Timeout.InfiniteTimeSpan,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (!string.IsNullOrWhiteSpace(options.OpenAI.BaseUrl))
        {
            clientOptions.Endpoint = new Uri(options.OpenAI.BaseUrl);
        }

        return new OpenAIClient(new ApiKeyCredential(options.OpenAI.ApiKey!), clientOptions);
    }
}
