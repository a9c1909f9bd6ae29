namespace OpenSesame.Predictor.Usage;

/// <summary>
/// A spec's usage as all its callers made it, faded to one time: per step (a next operation after a context) the sum
/// over callers, how many callers made it and the three largest contributions. From it, <see cref="For"/> tells what
/// of the others' usage reaches one caller, which needs that caller's own part taken out and the largest other
/// contribution bounded; the three largest are enough to do both for any caller.
/// </summary>
internal sealed class SharedUsage
{
    private const int Kept = 3;

    private readonly Dictionary<(string Context, string Next), Step> _steps = [];

    private SharedUsage(DateTimeOffset at) => At = at;

    /// <summary>The time every weight here is faded to.</summary>
    public DateTimeOffset At { get; }

    public static async Task<SharedUsage> LoadAsync(IAsyncEnumerable<CallerUsageRow> rows, DateTimeOffset now, TimeSpan? halfLife,
        CancellationToken cancellationToken)
    {
        var shared = new SharedUsage(now);
        await foreach (var (scope, row) in rows.WithCancellation(cancellationToken))
        {
            var weight = Faded(row, now, halfLife);
            if (weight > 0)
            {
                var key = (row.Context, row.Next);
                if (!shared._steps.TryGetValue(key, out var step))
                {
                    shared._steps[key] = step = new Step();
                }

                step.Add(scope, weight);
            }
        }

        return shared;
    }

    /// <summary>What a stored weight is worth at <paramref name="now"/>.</summary>
    public static double Faded(UsageRow row, DateTimeOffset now, TimeSpan? halfLife) =>
        halfLife is { } half && now > row.UpdatedAt ? row.Weight * Math.Pow(0.5, (now - row.UpdatedAt) / half) : row.Weight;

    /// <summary>Every step summed over all callers, as of <see cref="At"/>.</summary>
    public IEnumerable<UsageRow> Totals() => _steps.Select(s => new UsageRow(s.Key.Context, s.Key.Next, s.Value.Total, At));

    /// <summary>
    /// What of the other callers' steps reaches the caller <paramref name="scope"/>, as of <see cref="At"/>: a step
    /// only when at least <paramref name="minimumCallers"/> others made it, and then with the largest of their
    /// contributions cut to the second largest, so that no single caller decides it.
    /// </summary>
    /// <param name="own">The caller's own weight per step, faded to <see cref="At"/>; it is in the sums and comes out.</param>
    public IEnumerable<UsageRow> For(string scope, IReadOnlyDictionary<(string Context, string Next), double> own, int minimumCallers)
    {
        foreach (var ((context, next), step) in _steps)
        {
            var mine = step.WeightOf(scope) ?? own.GetValueOrDefault((context, next));
            var callers = step.Callers - (mine > 0 ? 1 : 0);
            if (callers < Math.Max(1, minimumCallers))
            {
                continue;
            }

            var others = Math.Max(0, step.Total - mine);
            if (minimumCallers >= 2)
            {
                var (first, second) = step.LargestTwoExcept(scope);
                others -= first - second;
            }

            if (others > 0)
            {
                yield return new UsageRow(context, next, others, At);
            }
        }
    }

    private sealed class Step
    {
        private readonly List<(string Scope, double Weight)> _largest = new(Kept + 1);

        public double Total { get; private set; }

        public int Callers { get; private set; }

        // A store has one row per caller and step, so each call here is a new caller.
        public void Add(string scope, double weight)
        {
            Total += weight;
            Callers++;
            var at = _largest.FindIndex(l => l.Weight < weight);
            _largest.Insert(at < 0 ? _largest.Count : at, (scope, weight));
            if (_largest.Count > Kept)
            {
                _largest.RemoveAt(Kept);
            }
        }

        public double? WeightOf(string scope) =>
            _largest.FindIndex(l => l.Scope == scope) is var at and >= 0 ? _largest[at].Weight : null;

        public (double First, double Second) LargestTwoExcept(string scope)
        {
            var others = _largest.Where(l => l.Scope != scope).Select(l => l.Weight).Take(2).ToList();
            return (others.ElementAtOrDefault(0), others.ElementAtOrDefault(1));
        }
    }
}
