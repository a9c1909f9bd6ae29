namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>Composition of the LLM chat-client chain.</summary>
internal static class LlmChatChain
{
    /// <summary>The key of the chain (router → providers) among the host's chat clients.</summary>
    public const string ServiceKey = "opensesame.llm";
}
