using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Traffic;

/// <summary>
/// Recorded sessions in the shape the training set builder replays: the domain is the session's spec path (resolved
/// by <see cref="TrainingCatalogs"/>), each call keeps its concrete path and query, no prompt, no timestamps (the
/// recordings keep none that a client would send).
/// </summary>
public static class TrafficSessions
{
    /// <summary>
    /// A call the spec lacks (null template) is left out: it cannot be a label, and as history the service would match
    /// it to nothing. The recorded method is replaced by the template's, so a HEAD counts as the GET it was mapped to.
    /// Sessions left with fewer than two calls teach no transition and are dropped.
    /// </summary>
    public static IEnumerable<SyntheticSession> ToTrainingSessions(IEnumerable<RecordedSession> sessions)
    {
        foreach (var session in sessions)
        {
            var calls = session.Calls
                .Where(c => c.Template is not null)
                .Select(c =>
                {
                    var (method, template) = SplitTemplate(c.Template!);
                    return new SyntheticCall(method, template, c.Path, c.Query, DateTimeOffset.UnixEpoch);
                })
                .ToList();
            if (calls.Count >= 2)
            {
                yield return new SyntheticSession(session.Spec, "", calls, [.. calls.Select(_ => (string?)null)])
                {
                    PromptKind = SyntheticPromptKind.None,
                };
            }
        }
    }

    private static (string Method, string Template) SplitTemplate(string template)
    {
        var space = template.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? ("GET", template) : (template[..space].ToUpperInvariant(), template[(space + 1)..]);
    }
}
