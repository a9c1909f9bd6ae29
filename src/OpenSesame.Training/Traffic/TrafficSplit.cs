using System.Globalization;
using System.Text;

namespace OpenSesame.Training.Traffic;

/// <summary>How <see cref="TrafficSplit"/> divides recorded traffic.</summary>
public sealed class TrafficSplitOptions
{
    /// <summary>The default <see cref="ValidationRepositories"/>.</summary>
    public static readonly IReadOnlyList<string> DefaultValidationRepositories = ["octokit/octokit.rb", "spree/spree_stripe"];

    /// <summary>
    /// Client repositories held out whole for validation (compared case-insensitively with
    /// <see cref="RecordedSession.Repository"/>). Default: <c>octokit/octokit.rb</c> (GitHub) and
    /// <c>spree/spree_stripe</c> (Stripe). Each API keeps another client in training (hub4j/github-api, pay-rails/pay),
    /// so validation measures how the model transfers to a client it never saw, which is what traffic of other
    /// clients, held out by the project, will test. Holding out sessions at random would put near-duplicate flows of one
    /// test suite on both sides.
    /// </summary>
    public IReadOnlyList<string> ValidationRepositories { get; init; } = DefaultValidationRepositories;

    /// <summary>
    /// Sessions with fewer calls are dropped from both parts. Default 2: a session needs a call and a next call to
    /// teach or ask anything; a single call has no history to predict from.
    /// </summary>
    public int MinimumCalls { get; init; } = 2;
}

/// <summary>The part of the split a session was meant for.</summary>
public enum TrafficPart
{
    Train,
    Validation,
}

/// <summary>A session the split left out of its part, and why.</summary>
public sealed record TrafficDrop(RecordedSession Session, TrafficPart Part, string Reason);

/// <summary>
/// A deterministic split of recorded traffic into training and validation, by client repository. In file order:
/// <list type="number">
/// <item>Sessions whose <see cref="RecordedSession.SuspectSynthetic"/> is set are dropped from both parts: a
/// hand-edited recording is not real traffic.</item>
/// <item>Sessions with fewer than <see cref="TrafficSplitOptions.MinimumCalls"/> calls are dropped from both parts.</item>
/// <item>Training = the sessions of every repository not in <see cref="TrafficSplitOptions.ValidationRepositories"/>,
/// deduplicated by <see cref="RecordedSession.TemplateSequence"/> (and API): the first session of each sequence is kept.
/// Test suites repeat one flow per card brand or fixture, and repeats would weigh a flow by how often its suite
/// re-ran it.</item>
/// <item>Validation = the sessions of the held-out repositories, dropped when their template sequence also occurs in
/// the training part (it would measure recall of a training flow, not transfer), then deduplicated the same way.</item>
/// </list>
/// The same input and options always give the same parts, in input order.
/// </summary>
public sealed class TrafficSplit
{
    public const string SuspectSyntheticReason = "suspect synthetic: a hand-edited recording, not real traffic";
    public const string DuplicateReason = "the same template sequence was kept earlier in this part";
    public const string InTrainingReason = "the same template sequence is in the training part";

    private TrafficSplit(TrafficSplitOptions options, List<RecordedSession> train, List<RecordedSession> validation, List<TrafficDrop> dropped)
    {
        Options = options;
        Train = train;
        Validation = validation;
        Dropped = dropped;
    }

    public TrafficSplitOptions Options { get; }

    /// <summary>The training sessions, in input order.</summary>
    public IReadOnlyList<RecordedSession> Train { get; }

    /// <summary>The validation sessions, in input order.</summary>
    public IReadOnlyList<RecordedSession> Validation { get; }

    /// <summary>Every session left out, in input order, with its reason.</summary>
    public IReadOnlyList<TrafficDrop> Dropped { get; }

    public int TrainCount => Train.Count;

    public int ValidationCount => Validation.Count;

    public int DroppedCount => Dropped.Count;

    /// <summary>How many sessions each reason dropped, per part ("validation: ...", "train: ...").</summary>
    public IReadOnlyDictionary<string, int> DroppedByReason =>
        Dropped.GroupBy(d => $"{PartName(d.Part)}: {d.Reason}")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>The reason text for sessions shorter than <paramref name="minimumCalls"/>.</summary>
    public static string TooShortReason(int minimumCalls) =>
        string.Create(CultureInfo.InvariantCulture, $"fewer than {minimumCalls} calls: no transition to learn or ask");

    public static string PartName(TrafficPart part) => part == TrafficPart.Train ? "train" : "validation";

    /// <exception cref="ArgumentOutOfRangeException"><see cref="TrafficSplitOptions.MinimumCalls"/> is below 1.</exception>
    public static TrafficSplit Create(IEnumerable<RecordedSession> sessions, TrafficSplitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        options ??= new TrafficSplitOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinimumCalls, 1, nameof(options.MinimumCalls));
        var heldOut = new HashSet<string>(options.ValidationRepositories, StringComparer.OrdinalIgnoreCase);
        var tooShort = TooShortReason(options.MinimumCalls);
        var dropped = new List<TrafficDrop>();
        var train = new List<RecordedSession>();
        var trainKeys = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<RecordedSession>();
        var positions = new Dictionary<RecordedSession, int>(ReferenceEqualityComparer.Instance);
        foreach (var session in sessions)
        {
            positions.TryAdd(session, positions.Count);
            var part = heldOut.Contains(session.Repository) ? TrafficPart.Validation : TrafficPart.Train;
            string? reason = session.SuspectSynthetic is not null ? SuspectSyntheticReason
                : session.Calls.Count < options.MinimumCalls ? tooShort
                : null;
            if (reason is not null)
            {
                dropped.Add(new TrafficDrop(session, part, reason));
            }
            else if (part == TrafficPart.Validation)
            {
                candidates.Add(session);
            }
            else if (trainKeys.Add(KeyOf(session)))
            {
                train.Add(session);
            }
            else
            {
                dropped.Add(new TrafficDrop(session, part, DuplicateReason));
            }
        }

        // Validation is decided after training has seen every session, so a training session later in the file
        // still removes an earlier validation session with its sequence.
        var validation = new List<RecordedSession>();
        var validationKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var session in candidates)
        {
            var key = KeyOf(session);
            if (trainKeys.Contains(key))
            {
                dropped.Add(new TrafficDrop(session, TrafficPart.Validation, InTrainingReason));
            }
            else if (!validationKeys.Add(key))
            {
                dropped.Add(new TrafficDrop(session, TrafficPart.Validation, DuplicateReason));
            }
            else
            {
                validation.Add(session);
            }
        }

        dropped.Sort((a, b) => positions[a.Session].CompareTo(positions[b.Session]));
        return new TrafficSplit(options, train, validation, dropped);
    }

    /// <summary>"train 412 sessions, validation 203 sessions, dropped 550 (validation: ...: 40; ...)".</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"train {TrainCount} sessions, validation {ValidationCount} sessions, dropped {DroppedCount}");
        if (DroppedCount > 0)
        {
            text.Append(" (").AppendJoin("; ", DroppedByReason.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key}: {r.Value}"))).Append(')');
        }

        return text.ToString();
    }

    // The API is part of the key: two APIs never share a template, but an empty or unknown-only sequence could match.
    private static string KeyOf(RecordedSession session) =>
        session.Api + "\n" + string.Join('\n', session.Calls.Select(c => c.Template ?? "?"));
}
