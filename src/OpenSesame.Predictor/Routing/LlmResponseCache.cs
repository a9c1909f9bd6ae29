using System.ComponentModel;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Routing;

/// <summary>An answer kept for identical questions: its text and the model that gave it (catalog name, provider model
/// id, provider). Immutable, so the memory tier hands out the same instance instead of a copy.</summary>
[ImmutableObject(true)]
internal sealed record CachedAnswer(string Text, string Model, string ModelId, string Provider);

/// <summary>
/// Answers a question from <see cref="HybridCache"/> (memory first, then the SQLite file) when an identical one was
/// answered within <see cref="LlmCacheOptions.Ttl"/>; otherwise asks the client inside it (the router) and keeps the
/// answer. It sits outside the router, so a hit makes no routing decision, calls no model and costs nothing; it is
/// still recorded on the question's trace, as a cache hit at $0 with the model that gave the answer, and the
/// prediction's accounting writes it to the ledger like any other question.
/// <para>Identical means the same messages (which are built after redaction, so the key holds no personal data a
/// provider would not have seen either) and the same requested model and answer shape (model id, output cap,
/// temperature, response format); who asks and what they will pay are not part of it. Only answers the caller could
/// use are kept: not an empty one (the route was local, or every model failed), not one in the wrong shape. Two
/// identical questions missing at the same moment both go to the router; whether an answer is worth keeping is known
/// only once it has arrived, and each question is routed and recorded for its own prediction.</para>
/// </summary>
internal sealed partial class LlmResponseCacheChatClient(
    IChatClient inner,
    HybridCache cache,
    IOptions<LlmOptions> options,
    RoutePricer pricer,
    RoutingMetrics metrics,
    LlmUsageLog usage,
    ILogger<LlmResponseCacheChatClient> logger) : DelegatingChatClient(inner)
{
    /// <summary>Changes when the cached value or the key's recipe does, so old entries are not read as new ones.</summary>
    private const string KeyPrefix = "llm-answer:v1:";

    // A lookup: the memory and the database are read, nothing is written, and nothing is asked on a miss. An entry
    // found only in the database is not copied into memory either: the copy would get HybridCache's default lifetime
    // rather than what is left of the entry's TTL, and could outlive it.
    private static readonly HybridCacheEntryOptions LookupOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableLocalCacheWrite
                | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        // Only questions asked on a prediction's behalf are cached: their answers can be judged and their hits recorded.
        // The router refuses any other.
        if (LlmQuestion.Of(chatOptions) is not { } question)
        {
            return await base.GetResponseAsync(messages, chatOptions, cancellationToken);
        }

        var conversation = messages as IList<ChatMessage> ?? [.. messages];
        var key = KeyOf(conversation, chatOptions);
        if (await LookUpAsync(key, cancellationToken) is { } cached && question.IsUsable(cached.Text))
        {
            Counted(hit: true);
            var decision = new RouteDecision
            {
                Model = cached.Model,
                ModelId = cached.ModelId,
                Provider = cached.Provider,
                Reason = RouteReasons.CacheHit,
                Explanation = $"{cached.Model} answered an identical question within the cache's time to live: its answer, no call.",
            };
            question.Trace.Routed(pricer.Price(decision, new RouteUsage { CacheHit = true }));
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, cached.Text)) { ModelId = cached.ModelId };
        }

        Counted(hit: false);
        var response = await base.GetResponseAsync(conversation, chatOptions, cancellationToken);
        var text = ChatAnswer.TextOf(response);
        if (question.AnsweredBy is { } model && !string.IsNullOrWhiteSpace(text) && question.IsUsable(text))
        {
            await KeepAsync(key, new CachedAnswer(text, model.Model, model.ModelId, model.Provider));
        }

        return response;
    }

    /// <summary>The cache key of a question: a SHA-256 of its messages (role and text, in order) and the requested
    /// model and answer shape.</summary>
    internal static string KeyOf(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions)
    {
        var material = JsonSerializer.SerializeToUtf8Bytes(new
        {
            messages = messages.Select(m => new[] { m.Role.Value, m.Text }),
            model = chatOptions?.ModelId,
            max_output_tokens = chatOptions?.MaxOutputTokens,
            temperature = chatOptions?.Temperature,
            top_p = chatOptions?.TopP,
            response_format = chatOptions?.ResponseFormat switch
            {
                null => null,
                ChatResponseFormatJson json => "json:" + json.Schema?.GetRawText(),
                var format => format.GetType().Name,
            },
        });
        return KeyPrefix + Convert.ToHexStringLower(SHA256.HashData(material));
    }

    private async Task<CachedAnswer?> LookUpAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<CachedAnswer?>(null), LookupOnly,
                cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A cache that cannot be read is a miss: the question goes to the router.
            LogLookupFailed(ex);
            return null;
        }
    }

    private async Task KeepAsync(string key, CachedAnswer answer)
    {
        var ttl = options.Value.Cache.Ttl;
        try
        {
            // Not the caller's token: the answer was paid for, and keeping it must not depend on the deadline.
            await cache.SetAsync(key, answer, new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl },
                cancellationToken: CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogKeepFailed(ex);
        }
    }

    private void Counted(bool hit)
    {
        usage.CacheLookup(hit);
        metrics.CacheLookups.Add(1, new KeyValuePair<string, object?>("hit", hit));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The LLM response cache could not be read; the question is asked")]
    private partial void LogLookupFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An LLM answer could not be kept in the response cache")]
    private partial void LogKeepFailed(Exception exception);
}
