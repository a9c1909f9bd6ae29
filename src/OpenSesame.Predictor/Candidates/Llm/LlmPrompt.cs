using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>
/// The conversation sent to a provider. The instructions are one constant system message, identical for every
/// request, so provider-side prompt caching can reuse them; everything that comes from the request (the spec's
/// operations, the history, the prompt) follows as one JSON document inside the injection fence of
/// <see cref="UntrustedContent.Wrap"/>, and the instructions carry <see cref="UntrustedContent.Instruction"/>, the
/// sentence that tells the model what the fence means. JSON escaping already turns every <c>&lt;</c>, <c>&gt;</c>,
/// <c>&amp;</c> and non-ASCII character into a <c>\uXXXX</c> escape, so no user text can close the fence or open a
/// role, and the fence's own escaping finds nothing left to change: the model reads the JSON exactly as serialized.
/// The user's words and values leave the service here, so they are redacted first (<see cref="IPiiRedactor"/>): a
/// provider never sees an email, card or key the user typed.
/// </summary>
internal static class LlmPrompt
{
    /// <summary>The fence's label: what the data inside it is.</summary>
    public const string DataSource = "request";

    public const string Instructions = $$"""
        You predict the next REST API calls a user is about to make.
        You receive one JSON document inside <{{UntrustedContent.Tag}}> tags.
        {{UntrustedContent.Instruction}}
        It holds:
          "operations": the API operations you may choose from, as "METHOD /path/{template}", with a summary and parameters;
          "history": the calls the user made so far, oldest first, with their parameters;
          "prompt": what the user said they want to do (may be empty);
          "count": how many candidates to return.
        Choose the most likely next calls, most likely first, only from "operations", each at most once.
        Fill "params" with values the history or the prompt give (ids from earlier calls, values the user stated); leave out
        what you do not know. Never invent ids.
        Answer with JSON only, exactly of this shape, and nothing else:
        {"candidates": [{"endpoint": "METHOD /path/{template}", "params": {"name": "value"}, "reason": "one short sentence"}]}
        """;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static List<ChatMessage> Build(CandidateRequest request, int count, LlmOptions options, IPiiRedactor redactor)
    {
        var operations = request.Shortlist.Take(options.ContextOperations).Select(Describe);
        var (history, prompt) = Request(request.Context, options, redactor);
        return Conversation(Instructions, new { operations, history, prompt, count });
    }

    public const string ReviewInstructions = $$"""
        You review suggested next REST API calls before a user sees them.
        You receive one JSON document inside <{{UntrustedContent.Tag}}> tags.
        {{UntrustedContent.Instruction}}
        It holds:
          "history": the calls the user made so far, oldest first, with their parameters;
          "prompt": what the user said they want to do (may be empty);
          "suggestions": the calls we would suggest next, each with its "endpoint", a "summary", the "params" we would
          fill, "destructive" (true when it deletes, cancels or revokes something) and our "score" (estimated probability).
        For each suggestion decide "keep" or "drop". Drop only a suggestion that clearly does not fit the history and the
        prompt, or a destructive call the user did not ask for. When unsure, keep.
        Answer with JSON only, exactly of this shape, and nothing else:
        {"reviews": [{"endpoint": "METHOD /path/{template}", "verdict": "keep", "reason": "one short sentence"}]}
        """;

    /// <summary>The second pass: the suggestions to review, with what we would send and why we doubt them.</summary>
    public static List<ChatMessage> BuildReview(PredictionContext context, IEnumerable<ScoredCandidate> suggestions, LlmOptions options,
        IPiiRedactor redactor)
    {
        var (history, prompt) = Request(context, options, redactor);
        var reviewed = suggestions.Select(c => new
        {
            endpoint = c.Operation.Key,
            summary = Shorten(c.Operation.Summary ?? c.Operation.OperationId ?? "", 120),
            @params = redactor.RedactParams(c.Candidate.Params.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value))).Params,
            destructive = c.Candidate.Destructive,
            score = Math.Round(c.Score, 3),
        });
        return Conversation(ReviewInstructions, new { history, prompt, suggestions = reviewed });
    }

    // What the user sent, redacted: personal data never leaves for a provider.
    private static (object History, string Prompt) Request(PredictionContext context, LlmOptions options, IPiiRedactor redactor) =>
        (context.History.TakeLast(options.HistoryEvents)
                .Select(e => new { endpoint = redactor.RedactText(e.Event.Endpoint).Text, @params = redactor.RedactParams(e.Event.Params).Params })
                .ToList(),
            context.Prompt is null ? "" : redactor.RedactText(context.Prompt).Text);

    private static List<ChatMessage> Conversation(string instructions, object data) =>
    [
        new ChatMessage(ChatRole.System, instructions),
        new ChatMessage(ChatRole.User, UntrustedContent.Wrap(DataSource, JsonSerializer.Serialize(data, Json))),
    ];

    private static object Describe(ApiOperation operation) => new
    {
        endpoint = operation.Key,
        summary = Shorten(operation.Summary ?? operation.OperationId ?? "", 120),
        @params = operation.Parameters
            .Where(p => p.In is not ParameterLocation.Header and not ParameterLocation.Cookie)
            .Take(12)
            .Select(p => $"{p.Name} ({p.In.ToString().ToLowerInvariant()}{(p.Required ? ", required" : "")})"),
    };

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
