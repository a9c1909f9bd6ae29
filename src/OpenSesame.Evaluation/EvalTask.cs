using System.Text.Json;
using OpenSesame.Predictor.Context;

namespace OpenSesame.Evaluation;

/// <summary>The spec a task runs against: a file under ../shared/evaldata (or anywhere), or a document built in memory.</summary>
/// <param name="Name">A short display name ("tmdb", "nestful item 12").</param>
/// <param name="FilePath">Path of the spec file; null when <paramref name="Content"/> holds the document.</param>
/// <param name="Content">The document text (JSON or YAML) when it was assembled by the adapter.</param>
public sealed record EvalSpec(string Name, string? FilePath, string? Content)
{
    public static EvalSpec FromFile(string path) => new(Path.GetFileName(path), path, null);

    /// <summary>Identity for catalog caching: the file path, or the document text itself.</summary>
    public string CacheKey => FilePath ?? Content ?? "";
}

/// <summary>One call of a gold sequence: a method and a path (templated or concrete), with parameter values if known.</summary>
public sealed record EvalCall(string Method, string Path, IReadOnlyDictionary<string, string>? Params = null)
{
    public string Endpoint => $"{Method} {Path}";

    /// <summary>The parameter values as a request's event carries them: each value a JSON string, as the dataset gave it.</summary>
    public IReadOnlyDictionary<string, JsonElement> JsonParams() =>
        Params?.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)) ?? HistoryEvent.NoParams;

    /// <summary>
    /// The spec operation ("METHOD /template") the dataset itself says served this call, or null. When set, the case
    /// builder takes it as the truth instead of matching the path: recorded traffic knows which operation answered a
    /// HEAD, or an id-based path the spec documents under another name, where matching the path would guess.
    /// </summary>
    public string? Operation { get; init; }

    /// <summary>
    /// False for a call the dataset marks as no operation of its spec: it stays in the history of later cases, as the
    /// real call it was, but is never asked for.
    /// </summary>
    public bool IsTarget { get; init; } = true;
}

/// <summary>A task of a dataset: one prompt (or none) and the gold sequence of calls that completes it.</summary>
/// <param name="FirstTarget">
/// The first gold index that becomes a question: cases are cut only for targets at index &gt;= FirstTarget, the calls
/// before it are history only. 0 for task datasets (every call is predicted, the first from the prompt alone); the
/// neutral JSONL format sets it to the number of its events, so that only its <c>expected</c> call is asked for.
/// </param>
public sealed record EvalTask(string Id, EvalSpec Spec, string? Prompt, IReadOnlyList<EvalCall> Gold, int FirstTarget = 0);

/// <summary>
/// One next-call question cut from a task: given the prompt and the first <c>History.Count</c> gold calls,
/// the next one is <see cref="Expected"/> ("METHOD /template" exactly as the spec spells the operation).
/// </summary>
public sealed record EvalCase(string TaskId, EvalSpec Spec, string? Prompt, IReadOnlyList<EvalCall> History, string Expected);

/// <summary>
/// Reads one dataset format into tasks. Adapters emit gold calls as the dataset names them (known label defects fixed,
/// method names turned into method + path); mapping them onto spec operations is the case builder's job, done once for all.
/// </summary>
public interface IEvalDatasetAdapter
{
    /// <summary>The <c>--format</c> name: restbench, agentdiff, nestful, toolalpaca, octokit, synthetic, jsonl, traffic.</summary>
    string Format { get; }

    /// <param name="datasetPath">The dataset file (or folder, for octokit fixtures and recorded traffic).</param>
    /// <param name="specOverride">A spec to use instead of the one the adapter finds under ../shared/evaldata.</param>
    IEnumerable<EvalTask> Load(string datasetPath, string? specOverride);

    /// <summary>
    /// As <see cref="Load(string, string?)"/>, and records in <paramref name="report"/> what the adapter left out and why
    /// (rows of a non-REST service, pseudo-actions, requests to another host, malformed items), so a run can say what it
    /// did not score. A malformed item costs that item, reported here; only a missing or wholly unreadable dataset throws
    /// <see cref="EvalDataException"/>.
    /// </summary>
    IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report) => Load(datasetPath, specOverride);
}
