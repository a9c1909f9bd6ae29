namespace OpenSesame.Predictor.Features;

/// <summary>A named ranking feature and what it means, in the words docs and explanations use.</summary>
public sealed record FeatureInfo(string Name, string Meaning);

/// <summary>
/// The fixed, spec-agnostic feature list every ranker reads. The order is part of a trained model's contract:
/// append new features at the end and retrain; never reorder. A feature joins only when training data can exercise
/// it: the LLM features are exercised by the training set's simulated language model (<c>SimulatedLlm</c>).
/// </summary>
public static class FeatureSchema
{
    public const int Lexical = 0;
    public const int LexicalRank = 1;
    public const int PromptResourceMatch = 2;
    public const int ResourceOverlap = 3;
    public const int PathSame = 4;
    public const int PathChild = 5;
    public const int PathParent = 6;
    public const int PathSibling = 7;
    public const int LifecyclePrior = 8;
    public const int ParamsAvailable = 9;
    public const int UsesLastId = 10;
    public const int CallCount = 11;
    public const int Recency = 12;
    public const int TransitionSeen = 13;
    public const int Destructive = 14;
    public const int DestructiveWithoutIntent = 15;
    public const int EntryPoint = 16;
    public const int HistoryLength = 17;
    public const int SecondsSinceLast = 18;
    public const int HasPrompt = 19;
    public const int KindRead = 20;
    public const int KindCreate = 21;
    public const int KindUpdate = 22;
    public const int KindAction = 23;
    public const int PreviousOverlap = 24;
    public const int Depth = 25;
    public const int Deprecated = 26;
    public const int LocalRank = 27;
    public const int SlotEntitySeen = 28;
    public const int NeedsListedEntity = 29;
    public const int PromptHasId = 30;
    public const int PromptNamesKnownId = 31;
    public const int Semantic = 32;
    public const int SemanticRank = 33;
    public const int Heuristic = 34;
    public const int IntentKindMatch = 35;
    public const int ConsumesFromLast = 36;
    public const int ProducesForPromptTarget = 37;
    public const int SemanticLast = 38;
    public const int SemanticHistory = 39;
    public const int LlmAnswered = 40;
    public const int LlmRank = 41;
    public const int GeneratorAgreement = 42;
    public const int UsageProbability = 43;
    public const int UsageEvidence = 44;
    public const int Closeness = 45;
    public const int HistoryRepeatRate = 46;
    public const int SameMethodAsLast = 47;
    public const int UnknownOpaqueIds = 48;
    public const int UsageOrder = 49;
    public const int UsagePersonal = 50;
    public const int StepNext = 51;
    public const int StepNextRank = 52;
    public const int StepCurrentRank = 53;
    public const int StepsDone = 54;
    public const int StepKindMatch = 55;
    public const int UsageWords = 56;
    public const int UsageWordsEvidence = 57;

    public static readonly IReadOnlyList<FeatureInfo> All =
    [
        new("lexical", "BM25 relevance of the prompt to the operation's words, relative to the best match in the spec (0 without a prompt)"),
        new("lexical_rank", "1/(1+rank) of the operation in the spec by BM25 relevance to the prompt (0 when it shares no word)"),
        new("prompt_resource_match", "share of the operation's path resources (invoice, customer, ...) that the prompt names"),
        new("resource_overlap", "Jaccard overlap of the path resources of the operation and of the last call"),
        new("path_same", "the operation's path is the path of the last call (same resource, maybe another method)"),
        new("path_child", "the operation's path extends the last call's path (/invoices/{id} → /invoices/{id}/lines)"),
        new("path_parent", "the operation's path is a prefix of the last call's path (back up to the collection)"),
        new("path_sibling", "the operation and the last call share a parent path and differ in their last segment"),
        new("lifecycle_prior", "prior probability of this kind of step (list, read, create, update, action, delete) after the last call's kind"),
        new("params_available", "share of the operation's path parameters whose values the history provides (1 when it has none)"),
        new("uses_last_id", "the operation's path takes an id that the last call carried"),
        new("call_count", "log(1 + times the operation was called in the history); repeats are real (paging, bulk edits)"),
        new("recency", "1/(calls since the operation was last called); 1 when it was the last call, 0 when never called"),
        new("transition_seen", "log(1 + times the history already went from the last call's operation to this one)"),
        new("destructive", "the operation deletes, voids, cancels, purges or revokes something"),
        new("destructive_without_intent", "the operation is destructive and the prompt does not ask for removal"),
        new("entry_point", "how much the operation is a natural first call: a list or search of a top-level resource"),
        new("history_length", "log(1 + number of calls in the history)"),
        new("seconds_since_last", "log(1 + seconds since the last call), 0 when unknown"),
        new("has_prompt", "1 when the request carries a prompt"),
        new("kind_read", "the operation reads (list, search or detail)"),
        new("kind_create", "the operation creates a resource"),
        new("kind_update", "the operation updates a resource"),
        new("kind_action", "the operation performs an action on a resource (finalize, send, merge, ...)"),
        new("previous_overlap", "Jaccard overlap of the path resources of the operation and of the call before the last"),
        new("depth", "number of path segments of the operation, divided by 10"),
        new("deprecated", "the spec marks the operation deprecated"),
        new("local_rank", "1/(1+rank) of the operation in the local generator's ordering (0 when it did not propose it)"),
        new("slot_entity_seen", "share of the operation's path parameters whose entity the history has touched (ids or not: templated histories count)"),
        new("needs_listed_entity", "the operation needs an id of what the last call listed, searched or created (list → detail, search → use a result)"),
        new("prompt_has_id", "the prompt holds an id-like token (digits, KEY-123) and the operation takes a path parameter"),
        new("prompt_names_known_id", "the prompt names a value the history carried for one of the operation's path parameters"),
        new("semantic", "cosine similarity of the prompt's and the operation's MiniLM embeddings, scaled to [0, 1] between the spec's least and most similar operation (0 without a prompt)"),
        new("semantic_rank", "1/(1+rank) of the operation in the spec by semantic similarity to the prompt (0 without a prompt)"),
        new("heuristic", "the transparent hand-weighted score of all the features above: a robust prior the trees can correct"),
        new("intent_kind_match", "a verb of the prompt asks for this kind of step (\"create a folder\" → create operations; list and search count together)"),
        new("consumes_id_from_last_call", "the operation needs an id that the last call's response hands back, by the spec's data-flow graph (search → detail, create → act on it)"),
        new("produces_id_needed_by_prompt_target", "the operation yields an id that one of the prompt's best-matching operations needs and the history lacks, weighted 1/(1+rank of that target)"),
        new("semantic_last", "cosine similarity of the MiniLM embeddings of the operation and of the last call's operation (0 without history)"),
        new("semantic_history", "best cosine similarity of the operation's embedding to any operation called so far (0 without history)"),
        new("llm_answered", "1 when a language model answered this request with usable candidates; 0 when none ran, failed or timed out, so the trees can tell the two cases apart"),
        new("llm_rank", "1/(1+rank) of the operation in the language model's answer (0 when it did not propose it, or no model answered)"),
        new("generator_agreement", "share of the generators that answered this request which proposed the operation (1 when all did)"),
        new("usage_probability", "chance that this spec's users call the operation next, by what followed the last 1-3 calls (or a session's start), backing off from the longest context seen to shorter ones (Witten-Bell), counts fading with age (0 when it was never seen to follow)"),
        new("usage_evidence", "log(1 + the faded number of calls observed after the longest of those contexts that was seen): how much usage_probability rests on"),
        new("closeness", "how close the operation sits to the history by structure alone, scaled to [0, 1]: the last call again, its path, an earlier call, the last path's children, parent, siblings (0 when none)"),
        new("history_repeat_rate", "share of the history's steps that repeated the call before them: clients that page, poll or retry keep doing it"),
        new("same_method_as_last", "the operation has the last call's HTTP method"),
        new("unknown_opaque_ids", "share of the operation's path parameters that take an opaque id (movie_id, {invoice}, issue_number; not an owner, repository or slug a user knows by name) which neither the history nor an id in the prompt gives"),
        new("usage_order", "how long a context usage_probability found: (calls matched + 1) / 4, from 0.25 (only how often each operation is called) to 1 (the last three calls); 0 when nothing was observed"),
        new("usage_personal", "usage_probability as learned from the requester's own tenant and user, backing off to the whole spec's; 0 when they have no usage of their own for this context"),
        new("step_next", "how well the operation fits the prompt's steps ahead (cut at sentences, \"then\", \"finally\", ...; the history's calls move through the steps they match): 1 for the next step's best operation, later steps at half the weight of the one before; 0 without a prompt or when the history reached its last step"),
        new("step_next_rank", "1/(1+rank) of the operation among the spec's by fit to the prompt's steps ahead, weighted as step_next (0 when none is left)"),
        new("step_current_rank", "1/(1+rank) of the operation by fit to the prompt's step the history is at (0 before the history matched one): a step may take several calls"),
        new("steps_done", "share of the prompt's steps the history has reached (0 without a prompt)"),
        new("step_kind_match", "a verb of the first step ahead that has one asks for this kind of operation (list and search count together)"),
        new("usage_words", "chance that this spec's users call the operation next when their prompt used the prompt's words (those the spec's operations use): each word's count of what followed the last call, backing off to what followed the word at all (Witten-Bell), averaged over the words seen (0 when none was)"),
        new("usage_words_evidence", "log(1 + the faded number of calls observed with those words): how much usage_words rests on"),
    ];

    public static int Count => All.Count;

    public static IEnumerable<string> Names => All.Select(f => f.Name);
}
