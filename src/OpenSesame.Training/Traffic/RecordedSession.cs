using System.Globalization;

namespace OpenSesame.Training.Traffic;

/// <summary>One recorded HTTP call of a client, as the recording saw it.</summary>
/// <param name="Method">The HTTP method, upper case, as sent (HEAD stays HEAD).</param>
/// <param name="Path">The concrete path as sent, without the query string.</param>
/// <param name="Query">
/// The query parameters as text: strings as they are, numbers and booleans in JSON spelling, a repeated parameter
/// (<c>expand[]</c>) as the compact JSON list of its values.
/// </param>
/// <param name="BodyKeys">The top-level field names of the request body; the recordings keep no body values.</param>
/// <param name="Template">
/// The spec operation the call maps to ("GET /repos/{owner}/{repo}"), as the converter that wrote the file decided it;
/// null when the spec lacks the call.
/// </param>
/// <param name="Status">The recorded response code, or null when the line has none.</param>
public sealed record RecordedCall(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyList<string> BodyKeys,
    string? Template,
    int? Status);

/// <summary>One recording: the calls a client's test made against the real API, in order.</summary>
/// <param name="Source">Where the recording comes from: <c>owner/repo@commit:path</c>.</param>
/// <param name="Api">The API the calls went to ("github", "stripe").</param>
/// <param name="Spec">The spec of that API as the line writes it: relative to the shared folder the traffic sits in.</param>
/// <param name="SuspectSynthetic">Why the recording looks hand-edited rather than recorded, or null.</param>
/// <param name="Calls">The calls, oldest first.</param>
/// <param name="File">The full path of the sessions file the line is in.</param>
/// <param name="Line">The 1-based line number in that file.</param>
public sealed record RecordedSession(
    string Source,
    string Api,
    string Spec,
    string? SuspectSynthetic,
    IReadOnlyList<RecordedCall> Calls,
    string File,
    int Line)
{
    /// <summary>The client repository the recording belongs to: <see cref="Source"/> before its <c>@</c>.</summary>
    public string Repository => Source.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? Source[..at] : Source;

    /// <summary>"github.jsonl:12", for messages.</summary>
    public string Location => $"{Path.GetFileName(File)}:{Line.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The sequence of <see cref="RecordedCall.Template"/>s, the identity the split deduplicates by: two recordings
    /// with the same sequence teach the same transitions whatever their ids and values. A call the spec lacks counts
    /// as one unknown step, whichever call it was.
    /// </summary>
    public IReadOnlyList<string?> TemplateSequence => [.. Calls.Select(c => c.Template)];
}

/// <summary>A line or call of a sessions file that could not be read, and was left out.</summary>
/// <param name="File">The full path of the file.</param>
/// <param name="Line">The 1-based line number.</param>
/// <param name="CallIndex">The 0-based index of the call in its session when only that call was left out; null when the
/// whole line was.</param>
/// <param name="Message">What is wrong with it.</param>
public sealed record TrafficProblem(string File, int Line, int? CallIndex, string Message)
{
    /// <summary>True when the whole session was left out, false when only one of its calls was.</summary>
    public bool SkipsSession => CallIndex is null;

    public override string ToString() => CallIndex is { } call
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: call {call}: {Message}")
        : string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: {Message}");
}
