using System.Text.Json.Serialization;

namespace OpenSesame.Training.Synthetic;

/// <summary>What the user had typed while working through a session; decides how <see cref="SyntheticSession.Prompts"/> reads.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SyntheticPromptKind>))]
public enum SyntheticPromptKind
{
    /// <summary>No prompt at any step.</summary>
    None,

    /// <summary>One task typed up front and kept for every step (often naming an end state several calls ahead).</summary>
    Goal,

    /// <summary>Each step says, in varied words, which call comes next.</summary>
    Explicit,

    /// <summary>Prompts that say nothing about the call ("what's next?", "continue").</summary>
    Vague,

    /// <summary>One task description typed up front and kept for every step, naming several of the steps in order
    /// ("Find the invoice, add a line for the setup fee and then send it"), as people brief an assistant.</summary>
    Task,
}

/// <summary>One call of a synthetic session.</summary>
/// <param name="PathTemplate">The spec's template, exactly as the operation is keyed.</param>
/// <param name="Path">The concrete path, every parameter filled with an id.</param>
/// <param name="Params">Query and body values the call carried; may be empty.</param>
public sealed record SyntheticCall(
    string Method,
    string PathTemplate,
    string Path,
    IReadOnlyDictionary<string, string> Params,
    DateTimeOffset Timestamp)
{
    /// <summary>"METHOD /template", the form predictions are compared in.</summary>
    [JsonIgnore]
    public string Key => $"{Method} {PathTemplate}";

    /// <summary>
    /// Ids the response handed back, by entity: the new id of a create, the ids a list or search showed. The caller
    /// never sends these, but later paths use them, so they let a reader check (or a feature imitate) how ids flow.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Produced { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();
}

/// <summary>A short sequence of calls one user made against one synthetic domain.</summary>
/// <param name="Domain">The <see cref="SyntheticDomain.Name"/> whose spec the calls belong to.</param>
/// <param name="Goal">The intent that steered the walk, typed or not; empty for an aimless session.</param>
/// <param name="Prompts">Prompt the user had typed when call i was about to be made; null when none.</param>
public sealed record SyntheticSession(
    string Domain,
    string Goal,
    IReadOnlyList<SyntheticCall> Calls,
    IReadOnlyList<string?> Prompts)
{
    public SyntheticPromptKind PromptKind { get; init; }

    /// <summary>
    /// The session is a window that opens after its user had already made calls nobody sees (a prefix dropped, or a
    /// recorded test that starts from its fixtures): its first call is history for the next steps, but no prediction
    /// from an empty history would have been asked for it. Taught as one, it tells the trees that a first call may
    /// well need ids nothing handed out yet. Written only when true.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool BeginsMidWorkflow { get; init; }

    /// <summary>The recorded client the session comes from (its repository), whose earlier sessions are its user's
    /// own layer of learned usage; null for generated sessions, which draw a user of their domain.</summary>
    [JsonIgnore]
    public string? Client { get; init; }

    /// <summary>Which replay of recorded traffic the session belongs to (0 for generated sessions). Each replay learns
    /// usage on its own, so a session never meets itself, replayed earlier, in what its requests see.</summary>
    [JsonIgnore]
    public int Replay { get; init; }
}
