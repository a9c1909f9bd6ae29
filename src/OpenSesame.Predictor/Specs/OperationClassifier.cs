namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Infers what an operation does from its method, path shape and the verb that leads its operationId or summary.
/// Spec-agnostic on purpose: RPC-style APIs (Slack's <c>POST /chat.postMessage</c>) say it in words, REST ones in shape.
/// </summary>
internal static class OperationClassifier
{
    /// <summary>Words that make an operation destructive when they lead its operationId or summary, or name its last
    /// path segment: the destructive-call policy's defaults (<c>Guardrails:Destructive:Words</c>). A spec is parsed
    /// once for every request, so it is classified with these; a request's configured words are applied on top.</summary>
    public static IReadOnlyList<string> DefaultDestructiveWords { get; } =
    [
        "delete", "remove", "destroy", "void", "cancel", "purge", "revoke", "erase", "wipe", "terminate", "archive",
        "unsubscribe", "uninstall", "deactivate", "disable", "kill", "drop", "trash", "unpublish", "unlink", "detach",
        "refund", "reset",
    ];

    private static readonly HashSet<string> DestructiveWords = new(DefaultDestructiveWords, StringComparer.Ordinal);

    private static readonly Dictionary<string, OperationKind> VerbKinds = new(StringComparer.Ordinal)
    {
        ["list"] = OperationKind.List,
        ["all"] = OperationKind.List,
        ["browse"] = OperationKind.List,
        ["search"] = OperationKind.Search,
        ["find"] = OperationKind.Search,
        ["query"] = OperationKind.Search,
        ["lookup"] = OperationKind.Search,
        ["filter"] = OperationKind.Search,
        ["get"] = OperationKind.Read,
        ["retrieve"] = OperationKind.Read,
        ["fetch"] = OperationKind.Read,
        ["read"] = OperationKind.Read,
        ["show"] = OperationKind.Read,
        ["view"] = OperationKind.Read,
        ["describe"] = OperationKind.Read,
        ["info"] = OperationKind.Read,
        ["create"] = OperationKind.Create,
        ["add"] = OperationKind.Create,
        ["new"] = OperationKind.Create,
        ["insert"] = OperationKind.Create,
        ["upload"] = OperationKind.Create,
        ["post"] = OperationKind.Create,
        ["open"] = OperationKind.Create,
        ["invite"] = OperationKind.Create,
        ["import"] = OperationKind.Create,
        ["update"] = OperationKind.Update,
        ["edit"] = OperationKind.Update,
        ["modify"] = OperationKind.Update,
        ["patch"] = OperationKind.Update,
        ["set"] = OperationKind.Update,
        ["rename"] = OperationKind.Update,
        ["replace"] = OperationKind.Update,
        ["change"] = OperationKind.Update,
        ["move"] = OperationKind.Update,
    };

    /// <summary>The kinds of step the verbs of a text ask for: "create a folder and delete the old one" → Create, Delete.</summary>
    public static HashSet<OperationKind> IntendedKinds(string? text)
    {
        var kinds = new HashSet<OperationKind>();
        foreach (var word in Tokenizer.Words(text))
        {
            if (VerbKinds.TryGetValue(word, out var kind))
            {
                kinds.Add(kind is OperationKind.Read ? OperationKind.Read : kind);
            }
            else if (DestructiveWords.Contains(word))
            {
                kinds.Add(OperationKind.Delete);
                kinds.Add(OperationKind.Action);
            }
        }

        return kinds;
    }

    public static (OperationKind Kind, bool Destructive) Classify(string method, PathShape path, string? operationId,
        string? summary)
    {
        var nameWords = Tokenizer.Words(operationId);
        var summaryWords = Tokenizer.Words(summary);
        var lastLiteralWords = LastLiteralWords(path);

        var destructive = IsDestructive(method, nameWords, summaryWords, lastLiteralWords, DestructiveWords);
        if (method == "DELETE")
        {
            return (OperationKind.Delete, true);
        }

        if (destructive)
        {
            return (OperationKind.Action, true);
        }

        var verbKind = LeadingVerbKind(nameWords) ?? LeadingVerbKind(summaryWords) ?? LeadingVerbKind(lastLiteralWords);
        var kind = method switch
        {
            "GET" or "HEAD" => verbKind is OperationKind.Search || IsSearchPath(path)
                ? OperationKind.Search
                : path.EndsWithParameter || verbKind == OperationKind.Read && !LooksPlural(path)
                    ? OperationKind.Read
                    : OperationKind.List,
            "PUT" or "PATCH" => verbKind is OperationKind.Create ? OperationKind.Create : OperationKind.Update,
            "POST" => verbKind switch
            {
                OperationKind.Create or OperationKind.Update or OperationKind.Search => verbKind.Value,
                OperationKind.List or OperationKind.Read => OperationKind.Search,
                _ => PostShape(path),
            },
            _ => OperationKind.Action,
        };
        return (kind, false);
    }

    /// <summary>Every DELETE, and any call whose operationId or summary leads with one of the words, or whose last
    /// literal path segment names one: <c>voidInvoice</c>, "Cancel a subscription", <c>/conversations.archive</c>.</summary>
    public static bool IsDestructive(string method, PathShape path, string? operationId, string? summary,
        IReadOnlySet<string> words) =>
        IsDestructive(method, Tokenizer.Words(operationId), Tokenizer.Words(summary), LastLiteralWords(path), words);

    // Names are read to their second word for RPC-style names that lead with the resource (conversations_archive);
    // a read's name leads with its verb and then names what it reads (getRefund), so only its first word counts.
    private static bool IsDestructive(string method, List<string> nameWords, List<string> summaryWords,
        List<string> lastLiteralWords, IReadOnlySet<string> words)
    {
        var reach = method is "GET" or "HEAD" ? 1 : 2;
        return method == "DELETE" || LeadsWithAny(nameWords, words, reach) || LeadsWithAny(summaryWords, words, reach)
            || lastLiteralWords.Exists(words.Contains);
    }

    private static List<string> LastLiteralWords(PathShape path) =>
        path.Segments.Count > 0 && !PathShape.IsParameter(path.Segments[^1]) ? Tokenizer.Words(path.Segments[^1]) : [];

    // POST /invoices → create; POST /invoices/{id} → update (Stripe style); POST /invoices/{id}/finalize → action.
    private static OperationKind PostShape(PathShape path)
    {
        if (path.EndsWithParameter)
        {
            return OperationKind.Update;
        }

        return LooksPlural(path) || path.Slots.Count == 0 ? OperationKind.Create : OperationKind.Action;
    }

    // "/search/issues", "/items/search", "/users.lookupByEmail"
    private static bool IsSearchPath(PathShape path) =>
        path.Segments.Where(s => !PathShape.IsParameter(s)).SelectMany(Tokenizer.Words)
            .Any(w => w is "search" or "query" or "lookup" or "find");

    private static bool LooksPlural(PathShape path)
    {
        if (path.Segments.Count == 0 || path.EndsWithParameter)
        {
            return false;
        }

        var last = Tokenizer.Words(path.Segments[^1]);
        return last.Count > 0 && last[^1].Length > 3 && last[^1][^1] == 's' && !last[^1].EndsWith("ss", StringComparison.Ordinal);
    }

    private static OperationKind? LeadingVerbKind(List<string> words)
    {
        foreach (var word in words.Take(2))
        {
            if (VerbKinds.TryGetValue(word, out var kind))
            {
                return kind;
            }
        }

        return null;
    }

    private static bool LeadsWithAny(List<string> words, IReadOnlySet<string> set, int reach) =>
        words.Take(reach).Any(set.Contains);
}
