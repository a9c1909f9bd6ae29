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

    /// <summary>Anthropic first, then OpenAI; a provider without a key is absent.</summary>
    public static LlmProviderList Create(LlmOptions options)
    {
        var providers = new List<LlmProvider>();
        if (!string.IsNullOrWhiteSpace(options.Anthropic.ApiKey))
        {
            providers.Add(new LlmProvider(AnthropicName, options.Anthropic.Model, CreateAnthropic(options)));
        }

        if (!string.IsNullOrWhiteSpace(options.OpenAI.ApiKey))
        {
            providers.Add(new LlmProvider(OpenAIName, options.OpenAI.Model, CreateOpenAI(options)));
        }

        return new LlmProviderList(providers);
    }

    // Retries are off in both SDKs: a retry inside one attempt would spend the budget the fallback needs. Retrying
    // with jitter and breaking circuits belong to the resilience layer (not built yet), not to the SDKs' defaults.
    private static IChatClient CreateAnthropic(LlmOptions options)
    {
        var client = new AnthropicClient
        {
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

    private static IChatClient CreateOpenAI(LlmOptions options)
    {
        var clientOptions = new OpenAIClientOptions
        {
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
