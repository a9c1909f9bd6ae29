using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OpenSesame.Predictor.Routing;

/// <summary>What a model answered, as text, however it chose to answer.</summary>
public static class ChatAnswer
{
    /// <summary>The answer's JSON as text: the message text, or, when the model answered by calling a tool (as it
    /// does when asked through tool use or schema-constrained output), the first call's arguments.</summary>
    public static string? TextOf(ChatResponse response) =>
        !string.IsNullOrWhiteSpace(response.Text)
            ? response.Text
            : response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
                .Select(call => call.Arguments is null ? null : JsonSerializer.Serialize(call.Arguments))
                .FirstOrDefault();
}
