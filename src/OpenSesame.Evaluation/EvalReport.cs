using System.Globalization;
using System.Text;

namespace OpenSesame.Evaluation;

/// <summary>How often one reason occurred, with the first few occurrences to look at.</summary>
public sealed class EvalTally
{
    internal const int MaxExamples = 5;
    private readonly List<string> _examples = [];

    public int Count { get; private set; }

    public IReadOnlyList<string> Examples => _examples;

    internal void Add(string example)
    {
        Count++;
        if (_examples.Count < MaxExamples)
        {
            _examples.Add(example);
        }
    }
}

/// <summary>
/// What a run loaded and what it could not score. Adapters record what they left out of tasks (<see cref="Skipped"/>);
/// the case builder records the tasks and cases it made and the gold calls no spec operation takes
/// (<see cref="Unmapped"/>). Counting instead of throwing lets one odd label cost one case, not the whole run.
/// </summary>
public sealed class EvalReport
{
    private readonly SortedDictionary<string, EvalTally> _skipped = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, EvalTally> _unmapped = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, EvalTally> _looseMatches = new(StringComparer.Ordinal);

    /// <summary>Tasks the case builder expanded.</summary>
    public int Tasks { get; internal set; }

    /// <summary>Cases built (targets whose expected call maps onto a spec operation).</summary>
    public int Cases { get; internal set; }

    /// <summary>Targets dropped because their expected call maps onto no operation.</summary>
    public int UnmappableCases { get; internal set; }

    /// <summary>
    /// Targets that are destructive calls the case's prompt does not ask for. The destructive-call policy keeps them
    /// out of the pipeline's candidates, so no pipeline system can rank them: the share is a ceiling on its metrics.
    /// </summary>
    public int UnpromptedDestructiveTargets { get; internal set; }

    /// <summary>
    /// Calls at a target position that the dataset marks as no operation of its spec (<see cref="EvalCall.IsTarget"/>
    /// false): kept in the history of later cases, never asked for.
    /// </summary>
    public int HistoryOnlyCalls { get; internal set; }

    /// <summary>Rows or calls an adapter left out of its tasks, by reason.</summary>
    public IReadOnlyDictionary<string, EvalTally> Skipped => _skipped;

    /// <summary>Gold calls (targets or history) that map onto no spec operation, by reason.</summary>
    public IReadOnlyDictionary<string, EvalTally> Unmapped => _unmapped;

    /// <summary>Gold calls accepted by path only (the method is not declared there, or a parameter took several segments).</summary>
    public IReadOnlyDictionary<string, EvalTally> LooseMatches => _looseMatches;

    public int SkippedCount => _skipped.Values.Sum(t => t.Count);

    public int UnmappedCalls => _unmapped.Values.Sum(t => t.Count);

    public void Skip(string reason, string example) => Tally(_skipped, reason, example);

    internal void Unmap(string reason, string example) => Tally(_unmapped, reason, example);

    internal void Loose(string reason, string example) => Tally(_looseMatches, reason, example);

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{Tasks} tasks, {Cases} cases, {UnmappableCases} unmappable cases, {UnmappedCalls} unmapped calls, {HistoryOnlyCalls} history-only calls");
        text.AppendLine();
        Describe(text, "skipped", _skipped);
        Describe(text, "unmapped", _unmapped);
        Describe(text, "matched by path only", _looseMatches);
        return text.ToString();
    }

    private static void Tally(SortedDictionary<string, EvalTally> tallies, string reason, string example)
    {
        if (!tallies.TryGetValue(reason, out var tally))
        {
            tallies[reason] = tally = new EvalTally();
        }

        tally.Add(example);
    }

    private static void Describe(StringBuilder text, string title, SortedDictionary<string, EvalTally> tallies)
    {
        foreach (var (reason, tally) in tallies)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {title} {tally.Count}: {reason} (e.g. {string.Join("; ", tally.Examples)})");
            text.AppendLine();
        }
    }
}
