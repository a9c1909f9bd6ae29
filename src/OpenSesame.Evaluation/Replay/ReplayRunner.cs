using System.Text.Json;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Evaluation.Replay;

/// <summary>How a replay's requests name their spec.</summary>
internal enum SpecDelivery
{
    /// <summary><c>spec_url</c> = the spec file's absolute path, which the service must have inside its
    /// <c>Specs:Folders</c>; a spec an adapter assembled in memory goes inline anyway.</summary>
    Path,

    /// <summary><c>spec</c> = the document's text, which any service accepts (up to its size limit).</summary>
    Inline,
}

/// <summary>What every request of a replay asks for, and how cases are grouped for the learning curve.</summary>
internal sealed record ReplaySettings
{
    /// <summary>Predictions asked per request (<c>k</c>). Default 3.</summary>
    public int K { get; init; } = 3;

    /// <summary>Cases per point of the learning curve. Default 50.</summary>
    public int Window { get; init; } = 50;

    /// <summary>Most events a request carries: a longer history sends its most recent calls, as the service asks
    /// (its <c>Prediction:MaxEvents</c>, 50 by default). Default 50.</summary>
    public int MaxEvents { get; init; } = 50;

    public SpecDelivery Specs { get; init; } = SpecDelivery.Path;
}

/// <summary>The scores of cases <see cref="From"/> to <see cref="To"/> (1-based, in replay order).</summary>
internal sealed record ReplayWindow(int From, int To, RankingScores Scores);

/// <summary>One scored case: what the service answered it.</summary>
internal sealed record ReplayedCase(EvalCase Case, ReplaySession Session, ReplayAnswer Answer);

/// <summary>What a replay measured.</summary>
/// <param name="Requests">Requests sent, by why they were sent.</param>
/// <param name="Statuses">Requests by the status they got (200, 400, 422, or what HTTP said).</param>
/// <param name="Problems">The first problem each non-2xx status came with.</param>
/// <param name="TruncatedHistories">Requests whose history was longer than <see cref="ReplaySettings.MaxEvents"/>
/// and went with its most recent calls only.</param>
/// <param name="ModelVersions">The rankers that answered, in the order they first did.</param>
/// <param name="Final">The scores over all cases (a case without an answer counts as a miss), and per history length.</param>
internal sealed record ReplayResult(
    string Dataset,
    ReplaySettings Settings,
    int Sessions,
    IReadOnlyDictionary<ReplayStepKind, int> Requests,
    IReadOnlyDictionary<int, int> Statuses,
    IReadOnlyDictionary<int, string> Problems,
    int TruncatedHistories,
    IReadOnlyList<string> ModelVersions,
    RankingReport Final,
    IReadOnlyList<ReplayWindow> Windows,
    IReadOnlyList<ReplayedCase> Cases)
{
    /// <summary>Requests of any kind that got no 2xx answer.</summary>
    public int NonSuccess => Statuses.Where(s => s.Key is < 200 or >= 300).Sum(s => s.Value);

    /// <summary>Cases the service gave no answer (scored as misses).</summary>
    public int UnansweredCases => Cases.Count(c => !c.Answer.Succeeded);
}

/// <summary>
/// Sends a replay's requests (<see cref="ReplayPlan"/>) to a target one after the other, in order, and scores each
/// case's answer against its expected operation with <see cref="RankingMetrics"/>, as <c>opensesame eval</c> scores its
/// systems; only the answer's k predictions are ranked, so MRR here is MRR at k.
/// </summary>
internal sealed class ReplayRunner(IReplayTarget target, ReplaySettings settings)
{
    /// <param name="progress">Requests sent so far.</param>
    public async Task<ReplayResult> RunAsync(string dataset, IReadOnlyList<ReplayStep> steps, IProgress<int>? progress,
        CancellationToken cancellationToken)
    {
        var requests = Enum.GetValues<ReplayStepKind>().ToDictionary(kind => kind, _ => 0);
        var statuses = new SortedDictionary<int, int>();
        var problems = new SortedDictionary<int, string>();
        var versions = new List<string>();
        var cases = new List<ReplayedCase>();
        var specs = new Dictionary<string, InlineSpec>(StringComparer.Ordinal);
        var truncated = 0;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            truncated += step.History.Count > settings.MaxEvents ? 1 : 0;
            var answer = await target.PredictAsync(Request(step, specs), cancellationToken);
            requests[step.Kind]++;
            statuses[answer.Status] = statuses.GetValueOrDefault(answer.Status) + 1;
            if (!answer.Succeeded)
            {
                problems.TryAdd(answer.Status, answer.Problem ?? "");
            }

            if (answer.ModelVersion is { } version && !versions.Contains(version))
            {
                versions.Add(version);
            }

            if (step.Case is { } @case)
            {
                cases.Add(new ReplayedCase(@case, step.Session, answer));
            }

            progress?.Report(i + 1);
        }

        var ranked = cases.Select(c => new RankedCase(c.Answer.Endpoints, c.Case.Expected, c.Case.History.Count)).ToList();
        var windows = new List<ReplayWindow>();
        for (var start = 0; start < ranked.Count; start += settings.Window)
        {
            var window = ranked.Skip(start).Take(settings.Window).ToList();
            windows.Add(new ReplayWindow(start + 1, start + window.Count, RankingMetrics.Score(window)));
        }

        return new ReplayResult(dataset, settings, steps.Select(s => s.Session.Index).Distinct().Count(), requests, statuses,
            problems, truncated, versions, RankingMetrics.Compute(ranked), windows, cases);
    }

    /// <summary>The body a client sends for a step: the session's ids, the history as events (the most recent
    /// <see cref="ReplaySettings.MaxEvents"/>), the prompt, k, and the spec.</summary>
    public PredictRequest Request(ReplayStep step, Dictionary<string, InlineSpec> inlineSpecs)
    {
        var spec = step.Session.Spec;
        var request = new PredictRequest
        {
            UserId = step.Session.UserId,
            SessionId = step.Session.SessionId,
            Events = [.. step.History.Skip(Math.Max(0, step.History.Count - settings.MaxEvents)).Select(call => new EventBody
            {
                Endpoint = $"{call.Method.ToUpperInvariant()} {call.Path}",
                Params = call.JsonParams().ToDictionary(),
            })],
            Prompt = step.Prompt,
            K = settings.K,
        };
        if (settings.Specs == SpecDelivery.Path && spec.FilePath is { } path)
        {
            request.SpecUrl = System.IO.Path.GetFullPath(path);
        }
        else
        {
            if (!inlineSpecs.TryGetValue(spec.CacheKey, out var inline))
            {
                // One element per spec, made once: the GitHub spec is 9 MB of text.
                inlineSpecs[spec.CacheKey] = inline = InlineSpec.FromText(spec.Content ?? File.ReadAllText(spec.FilePath!));
            }

            request.Spec = inline;
        }

        return request;
    }
}
