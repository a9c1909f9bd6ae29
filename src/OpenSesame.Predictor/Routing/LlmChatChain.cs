using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace OpenSesame.Predictor.Routing;

/// <summary>Composition of the LLM chat-client chain.</summary>
internal static class LlmChatChain
{
    /// <summary>The key of the chain (cache → router → providers) among the host's chat clients.</summary>
    public const string ServiceKey = "opensesame.llm";

    /// <summary>Adds the response cache at this point of the chain: added before the router's own client is built, it
    /// is outside it.</summary>
    public static ChatClientBuilder UseLlmResponseCache(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => ActivatorUtilities.CreateInstance<LlmResponseCacheChatClient>(services, inner));
}
