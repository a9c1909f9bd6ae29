using OpenSesame.Predictor.Specs;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Traffic;

/// <summary>
/// Recorded sessions in the shape the training set builder replays: the domain is the session's spec path (resolved
/// by <see cref="TrainingCatalogs"/>), each call keeps its concrete path and query, no prompt, no timestamps (the
/// recordings keep none that a client would send). A recorded test starts from what its fixtures set up, so each
/// session <see cref="SyntheticSession.BeginsMidWorkflow"/>, as the evaluation's traffic cases begin after the first call.
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
                    BeginsMidWorkflow = true,
                    Client = session.Repository,
                };
            }
        }
    }

    /// <summary>
    /// The session as if its user had typed what synthetic users type: prompts of a kind drawn with the synthetic
    /// sessions' shares (history-only included), written from the spec's own summaries of the recorded calls. Recorded
    /// traffic is the training's only data on large specs and has no prompts; replayed only as recorded, it teaches
    /// the trees that a large spec means "no prompt" and costs the prompted requests.
    /// </summary>
    public static SyntheticSession WithWrittenPrompts(SyntheticSession session, EndpointCatalog catalog, SpecWalkOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        var kind = options.Sessions.PickKind(random);
        var ids = session.Calls.Select(c => SpecPrompter.LastPathValue(c.PathTemplate, c.Path)).ToList();
        var (goal, prompts) = new SpecPrompter(catalog, options.Sessions, options.IdInPromptProbability).Write(session.Calls, ids, kind, random);
        return session with { Goal = goal, Prompts = prompts, PromptKind = kind };
    }

    private static (string Method, string Template) SplitTemplate(string template)
    {
        var space = template.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? ("GET", template) : (template[..space].ToUpperInvariant(), template[(space + 1)..]);
    }
}
