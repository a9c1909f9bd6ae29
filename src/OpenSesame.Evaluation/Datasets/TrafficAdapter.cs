using OpenSesame.Training.Traffic;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// Recorded traffic of real API clients (<c>shared/traffic/sessions/&lt;api&gt;.jsonl</c>, read by
/// <see cref="RecordedTraffic"/>): the dataset path is one sessions file or the sessions folder. One task per session,
/// no prompt, the history spelled as the client sent it: concrete paths and methods (HEAD stays HEAD), query values as
/// parameters (the recordings keep body field names, not values, so bodies add none). One case per call after the
/// first: the first call of a test is its fixed opening, with nothing before it to predict from.
/// <list type="bullet">
/// <item>The truth is the call's recorded <c>template</c> (<see cref="EvalCall.Operation"/>), not a match of its path:
/// the converter mapped HEAD to GET and GitHub's id-based paging paths to the spec's names, which the matcher does
/// only in part (<see cref="Predictor.Specs.MatchKind.Alias"/>).</item>
/// <item>A call whose <c>template</c> is null (the spec lacks it) stays in the history of later cases as the real call
/// it was, and is never a target (<see cref="EvalReport.HistoryOnlyCalls"/>).</item>
/// <item>The spec is each session's <c>spec</c>, relative to the shared folder: two levels above the sessions file
/// (<c>shared/traffic/sessions</c>), else any folder above it, else the evaldata folder. A spec override replaces
/// every session's spec.</item>
/// <item><see cref="EvalSplit.All"/> scores every session but the ones marked <c>suspect_synthetic</c> (hand-edited,
/// not traffic); <see cref="EvalSplit.Train"/> and <see cref="EvalSplit.Validation"/> are the parts of
/// <see cref="TrafficSplit"/> with its default options. Every session left out is reported with its reason.</item>
/// </list>
/// A malformed line or call is left out and reported; a missing path, or a file with no readable session, throws.
/// </summary>
internal sealed class TrafficAdapter(EvalSplit split = EvalSplit.All) : IEvalDatasetAdapter
{
    public string Format => "traffic";

    public EvalSplit Split => split;

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride) =>
        Load(datasetPath, specOverride, new EvalReport());

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report)
    {
        RecordedTraffic traffic;
        try
        {
            traffic = RecordedTraffic.Read(datasetPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EvalDataException(ex.Message, ex);
        }

        if (traffic.Files.Count == 0)
        {
            throw new EvalDataException($"The folder {Path.GetFullPath(datasetPath)} holds no .jsonl sessions file.");
        }

        if (traffic.Sessions.Count == 0)
        {
            throw new EvalDataException(traffic.Problems.Count == 0
                ? $"{datasetPath}: no session to read."
                : $"{datasetPath}: no readable session; {traffic.Problems.Count} lines left out, the first: {traffic.Problems[0]}");
        }

        foreach (var problem in traffic.Problems)
        {
            report.Skip(problem.SkipsSession
                ? "traffic: a malformed line (its session is left out)"
                : "traffic: a malformed call (left out of its session)", problem.ToString());
        }

        var specs = new Dictionary<string, EvalSpec?>(StringComparer.Ordinal);
        var overridden = specOverride is null ? null : EvalSpec.FromFile(Path.GetFullPath(specOverride));
        var tasks = new List<EvalTask>();
        foreach (var session in Sessions(traffic, report))
        {
            var spec = overridden ?? SpecOf(session, specs);
            if (spec is null)
            {
                report.Skip("traffic: the session's spec was not found", $"{session.Location}: {session.Spec}");
                continue;
            }

            var gold = session.Calls.Select(call => new EvalCall(call.Method, call.Path, call.Query.Count > 0 ? call.Query : null)
            {
                Operation = call.Template,
                IsTarget = call.Template is not null,
            }).ToList();
            tasks.Add(new EvalTask(TaskId(session), spec, null, gold, FirstTarget: 1));
        }

        if (tasks.Count == 0 && specs.Count > 0 && specs.Values.All(s => s is null))
        {
            throw new EvalDataException($"{datasetPath}: the spec of no session was found ({string.Join(", ", specs.Keys)}); "
                + "pass one with --spec.");
        }

        return tasks;
    }

    private IEnumerable<RecordedSession> Sessions(RecordedTraffic traffic, EvalReport report)
    {
        if (split == EvalSplit.All)
        {
            foreach (var session in traffic.Sessions)
            {
                if (session.SuspectSynthetic is not null)
                {
                    report.Skip($"traffic: {TrafficSplit.SuspectSyntheticReason}", $"{session.Location}: {session.SuspectSynthetic}");
                    continue;
                }

                yield return session;
            }

            yield break;
        }

        var parts = TrafficSplit.Create(traffic.Sessions);
        var wanted = split == EvalSplit.Train ? TrafficPart.Train : TrafficPart.Validation;
        foreach (var drop in parts.Dropped)
        {
            report.Skip($"traffic {TrafficSplit.PartName(drop.Part)}: {drop.Reason}", $"{drop.Session.Location} ({drop.Session.Repository})");
        }

        foreach (var other in wanted == TrafficPart.Train ? parts.Validation : parts.Train)
        {
            report.Skip($"traffic: in the {TrafficSplit.PartName(wanted == TrafficPart.Train ? TrafficPart.Validation : TrafficPart.Train)} part, not scored by --split {EvalSplits.NameOf(split)}",
                $"{other.Location} ({other.Repository})");
        }

        foreach (var session in wanted == TrafficPart.Train ? parts.Train : parts.Validation)
        {
            yield return session;
        }
    }

    // "octokit/octokit.rb:spec/cassettes/...json": the repository and the recording's path, without the commit.
    private static string TaskId(RecordedSession session)
    {
        var colon = session.Source.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? $"{session.Repository}:{session.Source[(colon + 1)..]}" : session.Source;
    }

    private static EvalSpec? SpecOf(RecordedSession session, Dictionary<string, EvalSpec?> specs)
    {
        var key = $"{Path.GetDirectoryName(session.File)}|{session.Spec}";
        if (!specs.TryGetValue(key, out var spec))
        {
            specs[key] = spec = FindSpec(session) is { } path ? EvalSpec.FromFile(path) : null;
        }

        return spec;
    }

    private static string? FindSpec(RecordedSession session)
    {
        var relative = session.Spec.Replace('/', Path.DirectorySeparatorChar);
        if (Path.IsPathRooted(relative))
        {
            return File.Exists(relative) ? relative : null;
        }

        // sessions/<api>.jsonl sits in <shared>/traffic/sessions, and spec paths are relative to <shared>.
        var shared = Directory.GetParent(Path.GetDirectoryName(session.File)!)?.Parent?.FullName;
        if (shared is not null && File.Exists(Path.Combine(shared, relative)))
        {
            return Path.GetFullPath(Path.Combine(shared, relative));
        }

        // A held-out file elsewhere: any folder above it, or the evaldata folder (spec paths start with "evaldata/").
        var evaldataPrefix = "evaldata" + Path.DirectorySeparatorChar;
        var candidates = relative.StartsWith(evaldataPrefix, StringComparison.Ordinal)
            ? new[] { relative, relative[evaldataPrefix.Length..] }
            : [relative];
        try
        {
            return EvalDataLocator.FindFile(session.File, $"the spec {session.Spec}", candidates);
        }
        catch (EvalDataException)
        {
            return null;
        }
    }
}
