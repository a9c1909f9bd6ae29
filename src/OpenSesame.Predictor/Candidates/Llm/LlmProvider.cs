using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;

namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>A chat model the generator may ask, in order of preference.</summary>
public sealed record LlmProvider(string Name, string Model, IChatClient Client);

/// <summary>The configured providers in order of preference; owns (and disposes) their clients.</summary>
public sealed class LlmProviderList(IReadOnlyList<LlmProvider> providers) : IDisposable
{
    public IReadOnlyList<LlmProvider> Providers { get; } = providers;

    public void Dispose()
    {
        foreach (var provider in Providers)
        {
            provider.Client.Dispose();
        }
    }
}

/// <summary>Builds the configured providers on the official SDKs, behind <see cref="IChatClient"/>.</summary>
internal static class LlmProviders
{
    public const string AnthropicName = "anthropic";
    public const string OpenAIName = "openai";

    /// <summary>Anthropic first, then OpenAI; a provider without a key is absent. Each SDK sends through its own
    /// named client from <paramref name="httpClients"/>, which carries that provider's resilience pipeline.</summary>
    public static LlmProviderList Create(LlmOptions options, IHttpClientFactory httpClients)
    {
        var providers = new List<LlmProvider>();
        if (!string.IsNullOrWhiteSpace(options.Anthropic.ApiKey))
        {
            providers.Add(new LlmProvider(AnthropicName, options.Anthropic.Model,
                CreateAnthropic(options, httpClients.CreateClient(LlmResilience.AnthropicHttpClient))));
        }

        if (!string.IsNullOrWhiteSpace(options.OpenAI.ApiKey))
        {
            providers.Add(new LlmProvider(OpenAIName, options.OpenAI.Model,
                CreateOpenAI(options, httpClients.CreateClient(LlmResilience.OpenAIHttpClient))));
        }

        return new LlmProviderList(providers);
    }

    // Retries are off in both SDKs: LlmResilience retries below them, within the attempt's and the deadline's time,
    // and a second retry loop on top would multiply the tries and ignore that budget.
    private static IChatClient CreateAnthropic(LlmOptions options, HttpClient httpClient)
    {
        var client = new AnthropicClient
        {
            HttpClient = httpClient,
            ApiKey = options.Anthropic.ApiKey,
            MaxRetries = 0,
            Timeout = options.AttemptTimeout,
        };
        if (!string.IsNullOrWhiteSpace(options.Anthropic.BaseUrl))
        {
            client = (AnthropicClient)client.WithOptions(o => o with { BaseUrl = options.Anthropic.BaseUrl });
        }

        return client.AsIChatClient(options.Anthropic.Model, options.MaxOutputTokens);
    }

    private static IChatClient CreateOpenAI(LlmOptions options, HttpClient httpClient)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(httpClient),
            NetworkTimeout = options.AttemptTimeout,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (!string.IsNullOrWhiteSpace(options.OpenAI.BaseUrl))
        {
            clientOptions.Endpoint = new Uri(options.OpenAI.BaseUrl);
        }

        return new OpenAIClient(new ApiKeyCredential(options.OpenAI.ApiKey!), clientOptions)
            .GetChatClient(options.OpenAI.Model).AsIChatClient();
    }
}
