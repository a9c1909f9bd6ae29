using System.Globalization;

namespace OpenSesame.Training.Synthetic;

/// <summary>
/// Rates of <see cref="ClientBehaviours"/>; every default is the value training uses. The measured rates come from the
/// recorded client traffic in <c>../shared/traffic</c> (stats.md, and the break-down of its consecutive pairs by
/// eval/experiments/client-behaviour-rates.py): over 5,820 pairs of consecutive calls, 20.6 % repeat the previous
/// operation — 9.0 % exactly (same path and query), 4.0 % as the next page, 6.8 % on another id — and 7.5 % read a
/// resource right after writing it. A synthetic walk already repeats operations now and then (bulk edits, paging
/// steps in a few workflows), so the rates below add what the walks lack, not the whole measured share.
/// </summary>
public sealed class ClientBehaviourOptions
{
    /// <summary>No behaviour at all: sessions stay the walks they were.</summary>
    public static ClientBehaviourOptions None { get; } = new()
    {
        RetryProbability = 0,
        PaginationProbability = 0,
        PollingProbability = 0,
        FanOutProbability = 0,
        InterleaveShare = 0,
        MidWorkflowShare = 0,
    };

    /// <summary>
    /// Share of sessions whose client repeats calls at all (0.4). Retries, further pages, polling and fan-out happen
    /// only in these sessions, at their rates below divided by this share (at most 1), so each rate still holds on
    /// average. Measured: of the 529 recorded sessions of four calls or more, 39.1 % repeat an operation back to back,
    /// against 72.4 % if the same 23.6 % of repeated pairs fell independently on every call; 60.9 % never repeat and
    /// 20.8 % repeat on more than 30 % of their steps (eval/experiments/client-behaviour-rates.py, its "recorded" line).
    /// Clients differ, and the history shows which kind is calling
    /// (the <c>history_repeat_rate</c> feature can only learn that when the training data has it). 1 spreads the
    /// behaviours over every session.
    /// </summary>
    public double RepeatingClientShare { get; init; } = 0.4;

    /// <summary>
    /// Chance per call that the client sends it twice in a row (0.06): a retry after an error or a rate limit (the
    /// first attempt then produced nothing), or an idempotent re-read. Exact repeats are 9.0 % of measured pairs;
    /// polling below adds some of its own.
    /// </summary>
    public double RetryProbability { get; init; } = 0.06;

    /// <summary>
    /// Chance that a list call whose operation has a paging parameter (page, cursor, starting_after, offset,
    /// pageToken, ...) is followed by further pages (0.1). Next-page pairs are 4.0 % of measured pairs, and the walks
    /// of the embedded domains already page by themselves (4.7 % of their pairs), so little is added.
    /// </summary>
    public double PaginationProbability { get; init; } = 0.1;

    /// <summary>Most further pages after a list (2); the number is uniform from 1.</summary>
    public int MaxExtraPages { get; init; } = 2;

    /// <summary>
    /// Chance that a create, update or action is followed by a read of the resource it changed (0.15): 7.5 % of
    /// measured pairs are such a read, and many walks already read back by themselves.
    /// </summary>
    public double PollingProbability { get; init; } = 0.15;

    /// <summary>Chance, after each poll, of polling once more while the state settles (0.35); at most three polls.</summary>
    public double PollRepeatProbability { get; init; } = 0.35;

    /// <summary>
    /// Chance that a list or search is followed by reads of several of the items it showed (0.3). Calls repeating the
    /// previous operation on another id are 6.8 % of measured pairs (2.9 % of the bare walks' pairs).
    /// </summary>
    public double FanOutProbability { get; init; } = 0.2;

    /// <summary>Fewest items read in a fan-out (2).</summary>
    public int FanOutMin { get; init; } = 2;

    /// <summary>Most items read in a fan-out (4).</summary>
    public int FanOutMax { get; init; } = 4;

    /// <summary>
    /// Share of sessions interleaved with a second session of the same domain (0.1). Not measured: the recorded traffic
    /// is test suites, one task each; agents and consoles do switch between tasks, so a small share teaches the ranker
    /// that the last call is not always the thread to follow.
    /// </summary>
    public double InterleaveShare { get; init; } = 0.1;

    /// <summary>
    /// Share of sessions that begin mid-workflow, a prefix of the walk dropped (0.25). Not measured: a predictor sees
    /// a window of history, often starting after the list or create that produced the ids in use (the recorded
    /// traffic itself often opens on a detail read such as <c>GET /repos/{owner}/{repo}</c>).
    /// </summary>
    public double MidWorkflowShare { get; init; } = 0.25;

    /// <summary>Fewest calls a mid-workflow session keeps (2), so it still has history to learn from.</summary>
    public int MinKeptCalls { get; init; } = 2;

    /// <summary>Most calls a session may have after the behaviours (30); the tail beyond is cut.</summary>
    public int MaxCalls { get; init; } = 30;

    /// <summary>Whether any behaviour can happen.</summary>
    public bool IsActive => RetryProbability > 0 || PaginationProbability > 0 || PollingProbability > 0
                            || FanOutProbability > 0 || InterleaveShare > 0 || MidWorkflowShare > 0;

    /// <summary>The rates by name, as a manifest records them.</summary>
    public IReadOnlyDictionary<string, double> Describe() => new SortedDictionary<string, double>(StringComparer.Ordinal)
    {
        ["retry_probability"] = RetryProbability,
        ["pagination_probability"] = PaginationProbability,
        ["max_extra_pages"] = MaxExtraPages,
        ["polling_probability"] = PollingProbability,
        ["poll_repeat_probability"] = PollRepeatProbability,
        ["fan_out_probability"] = FanOutProbability,
        ["fan_out_min"] = FanOutMin,
        ["fan_out_max"] = FanOutMax,
        ["interleave_share"] = InterleaveShare,
        ["mid_workflow_share"] = MidWorkflowShare,
        ["repeating_client_share"] = RepeatingClientShare,
        ["min_kept_calls"] = MinKeptCalls,
        ["max_calls"] = MaxCalls,
    };

    /// <exception cref="ArgumentException">A probability is outside 0..1 or a count range is empty.</exception>
    public ClientBehaviourOptions Validated()
    {
        foreach (var (name, value) in Describe())
        {
            if (name.EndsWith("probability", StringComparison.Ordinal) || name.EndsWith("share", StringComparison.Ordinal))
            {
                if (value is < 0 or > 1)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Client behaviour {name} is {value}; it must be within 0..1."));
                }
            }
        }

        if (MaxExtraPages < 1 || FanOutMin < 1 || FanOutMax < FanOutMin || MinKeptCalls < 1 || MaxCalls < MinKeptCalls)
        {
            throw new ArgumentException("Client behaviours need MaxExtraPages >= 1, 1 <= FanOutMin <= FanOutMax and 1 <= MinKeptCalls <= MaxCalls.");
        }

        return this;
    }
}
