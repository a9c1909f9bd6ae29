using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenSesame.Evaluation.Replay;

/// <summary>Why a replay sends a request.</summary>
internal enum ReplayStepKind
{
    /// <summary>A case of the task set: its answer is scored against the case's expected operation.</summary>
    Case,

    /// <summary>When the next case's history is more than one call longer (a call in between is no case: the dataset
    /// marks it as history only, or no operation of the spec takes it), a request for each history length in between,
    /// as a client that asks after every call would send, so that each call ends the history of one request. Not
    /// scored.</summary>
    Between,

    /// <summary>After a session's last case: the request a client would send next, its history ending with that case's
    /// expected call, so the service learns the session's last step and the last prediction's outcome. Not scored.</summary>
    Closing,
}

/// <summary>One session of a replay: the ids its requests carry.</summary>
/// <param name="Index">0-based, in the order the sessions start.</param>
/// <param name="SessionId">The <c>session_id</c> of every request of the session.</param>
/// <param name="UserId">The <c>user_id</c> of every request of the session.</param>
internal sealed record ReplaySession(int Index, string SessionId, string UserId, EvalSpec Spec);

/// <summary>One <c>/predict</c> request of a replay, in the order it is sent.</summary>
/// <param name="History">The calls the request carries as its events, oldest first.</param>
/// <param name="Case">The case the request asks (<see cref="ReplayStepKind.Case"/> only).</param>
internal sealed record ReplayStep(ReplaySession Session, ReplayStepKind Kind, IReadOnlyList<EvalCall> History, string? Prompt,
    EvalCase? Case);

/// <summary>
/// Turns a task set's cases, in file order, into the requests a client of the service would send for them.
/// </summary>
/// <remarks>
/// <para>
/// A case continues the session of the case before it when it is on the same spec and its history is that case's
/// history, then a call that is that case's expected operation, then possibly more calls. This is what the adapters
/// give for the cases of one task (one case per gold call, each history one call longer, or longer by the calls that
/// are no case). Task ids are not compared, because the synthetic format makes one task per step of a session; the
/// prompt is not either, because a user may type a new one at every step. Anything else starts a new session: the next
/// task's first case (its history is not longer), a case whose history differs, or a case on another spec.
/// </para>
/// <para>
/// Within a session every call after the first case's history is reported once, by a request whose history ends with
/// it: the cases' own requests, a <see cref="ReplayStepKind.Between"/> request for each history length between two
/// cases', and a <see cref="ReplayStepKind.Closing"/> request after the last case. The service learns each request's newest step and
/// joins each request to the session's previous prediction as its outcome, so this is what lets it learn every step.
/// The closing request names the expected call by its template ("GET /movie/{movie_id}"): the case knows its operation,
/// not the concrete call, and the contract takes either.
/// </para>
/// <para>
/// Ids: each session's <c>session_id</c> is the id of its first case's task, made safe for the contract (characters
/// other than letters, digits and <c>. _ : @ -</c> become <c>-</c>; an id over 100 characters keeps 91 and a hash),
/// with <c>~2</c>, <c>~3</c> ... when an id comes back. Its <c>user_id</c> is <c>replay:</c> followed by the
/// <c>session_id</c>: the datasets do not say who ran which task, so every session is one user's, and no per-user
/// learning can carry one task's habits into another; what carries over is what the service learns per spec.
/// </para>
/// </remarks>
internal static partial class ReplayPlan
{
    private const int MaxIdLength = 100;

    public static List<ReplayStep> Build(IReadOnlyList<EvalCase> cases, EvalSpecCatalogs catalogs)
    {
        var steps = new List<ReplayStep>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        ReplaySession? session = null;
        EvalCase? previous = null;
        foreach (var @case in cases)
        {
            if (session is not null && previous is not null && Continues(previous, @case, catalogs))
            {
                for (var length = previous.History.Count + 1; length < @case.History.Count; length++)
                {
                    steps.Add(new ReplayStep(session, ReplayStepKind.Between, @case.History.Take(length).ToList(), previous.Prompt, null));
                }
            }
            else
            {
                if (session is not null && previous is not null)
                {
                    steps.Add(Closing(session, previous));
                }

                session = Start(session is null ? 0 : session.Index + 1, @case, seen);
            }

            steps.Add(new ReplayStep(session, ReplayStepKind.Case, @case.History, @case.Prompt, @case));
            previous = @case;
        }

        if (session is not null && previous is not null)
        {
            steps.Add(Closing(session, previous));
        }

        return steps;
    }

    /// <summary>Whether <paramref name="next"/> is a later step of the session <paramref name="previous"/> is in.</summary>
    public static bool Continues(EvalCase previous, EvalCase next, EvalSpecCatalogs catalogs)
    {
        if (!string.Equals(previous.Spec.CacheKey, next.Spec.CacheKey, StringComparison.Ordinal)
            || next.History.Count <= previous.History.Count)
        {
            return false;
        }

        for (var i = 0; i < previous.History.Count; i++)
        {
            if (!SameCall(previous.History[i], next.History[i]))
            {
                return false;
            }
        }

        var made = EvalCaseBuilder.OperationOf(catalogs.Get(next.Spec), next.History[previous.History.Count], out _);
        return made is not null && string.Equals(made.Key, previous.Expected, StringComparison.Ordinal);
    }

    // Two rows of a file are separate objects even when they write the same call, so calls compare by what they say.
    private static bool SameCall(EvalCall a, EvalCall b) =>
        string.Equals(a.Method, b.Method, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Path, b.Path, StringComparison.Ordinal)
        && string.Equals(a.Operation, b.Operation, StringComparison.Ordinal)
        && SameParams(a.Params, b.Params);

    private static bool SameParams(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0)
        && (a is null || a.All(p => b!.TryGetValue(p.Key, out var value) && string.Equals(value, p.Value, StringComparison.Ordinal)));

    private static ReplayStep Closing(ReplaySession session, EvalCase last)
    {
        var space = last.Expected.IndexOf(' ', StringComparison.Ordinal);
        EvalCall expected = new(last.Expected[..space], last.Expected[(space + 1)..]);
        return new ReplayStep(session, ReplayStepKind.Closing, [.. last.History, expected], last.Prompt, null);
    }

    private static ReplaySession Start(int index, EvalCase first, Dictionary<string, int> seen)
    {
        var id = SafeId(first.TaskId);
        var times = seen[id] = seen.GetValueOrDefault(id) + 1;
        var sessionId = times == 1 ? id : string.Create(CultureInfo.InvariantCulture, $"{id}~{times}");
        return new ReplaySession(index, sessionId, "replay:" + sessionId, first.Spec);
    }

    /// <summary>The task id as the contract accepts an id: letters, digits and <c>. _ : @ -</c>, at most 100 characters
    /// (a longer one keeps its first 91 and 8 hex digits of its SHA-256, so two long ids stay apart).</summary>
    internal static string SafeId(string taskId)
    {
        var id = Unsafe().Replace(taskId, "-");
        if (id.Length == 0)
        {
            return "task";
        }

        if (id.Length <= MaxIdLength)
        {
            return id;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(taskId)))[..8];
        return id[..(MaxIdLength - 9)] + "-" + hash;
    }

    [GeneratedRegex("[^A-Za-z0-9._:@-]")]
    private static partial Regex Unsafe();
}
