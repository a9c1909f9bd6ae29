namespace OpenSesame.Predictor.Context;

/// <summary>
/// One layer of learned usage (all of a spec's users, one tenant, or one user): what followed each context of up to
/// <see cref="MaxOrder"/> calls, as operation indexes only, never values. Each count fades with its age by
/// <see cref="HalfLife"/>, so a changed habit overtakes an old one. Read as a variable-order model with Witten-Bell
/// backoff (<see cref="Probabilities"/>): the n-gram and PPM predictors of web prefetching, which beat first-order
/// counts by a fifth and more in precision, are the model for it. Besides calls, a layer counts the words of the
/// prompts that came with them (<see cref="RecordWords"/>): what followed the last call when a prompt used a word, so
/// that what a deployment's users mean by their words ("lead actor" for a movie's credits) is learned as their habits
/// are.
/// </summary>
public sealed class UsageCounts(TimeSpan? halfLife = null)
{
    /// <summary>The longest context counted: the last three calls.</summary>
    public const int MaxOrder = 3;

    /// <summary>Stands before a session's first call: a context that begins with it says where the session began.</summary>
    public const int Start = -1;

    /// <summary>Stands for a call the spec does not describe (an endpoint newer than the spec, an undocumented one):
    /// which call it was is not kept, only that one was made, which often says what comes next.</summary>
    public const int Outside = -2;

    /// <summary>Stands for any last call in a word's context: the word alone.</summary>
    public const int AnyLast = int.MinValue;

    // Weights are kept relative to each context's own reference time, so recording never rescales the others.
    private const double Rebase = 1e100;

    private readonly Dictionary<UsageContext, Followers> _contexts = [];
    private readonly Dictionary<(string Word, int Last), Followers> _words = [];
    private readonly Lock _gate = new();

    /// <summary>How fast counts fade: a count this old weighs half; null never fades.</summary>
    public TimeSpan? HalfLife { get; } = halfLife is { Ticks: > 0 } ? halfLife : null;

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _contexts.Count == 0 && _words.Count == 0;
            }
        }
    }

    /// <summary>Counts <paramref name="next"/> after each order of <paramref name="before"/> (0 up to its length).</summary>
    /// <param name="before">The calls before, oldest first, as <see cref="UsageContext.Before"/> gives them.</param>
    public void Record(IReadOnlyList<int> before, int next, DateTimeOffset at, double weight = 1)
    {
        lock (_gate)
        {
            for (var order = 0; order <= before.Count; order++)
            {
                Add(_contexts, UsageContext.Of(before, order), next, weight, at);
            }
        }
    }

    /// <summary>Adds a stored count to one context as it stood at <paramref name="at"/>.</summary>
    public void Load(UsageContext context, int next, double weight, DateTimeOffset at)
    {
        lock (_gate)
        {
            Add(_contexts, context, next, weight, at);
        }
    }

    /// <summary>Counts <paramref name="next"/> after the call <paramref name="last"/> (an operation index,
    /// <see cref="Start"/> or <see cref="Outside"/>) for each of the prompt's <paramref name="words"/>, and after the
    /// word alone.</summary>
    public void RecordWords(IEnumerable<string> words, int last, int next, DateTimeOffset at, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(words);
        foreach (var word in words)
        {
            LoadWord(word, last, next, weight, at);
        }
    }

    /// <summary>Adds a stored count of a word's context as it stood at <paramref name="at"/> (and to the word alone).</summary>
    public void LoadWord(string word, int last, int next, double weight, DateTimeOffset at)
    {
        lock (_gate)
        {
            Add(_words, (word, AnyLast), next, weight, at);
            Add(_words, (word, last), next, weight, at);
        }
    }

    /// <summary>
    /// What the prompt's <paramref name="words"/> say follows the call <paramref name="last"/>: for each word with
    /// counts, the word alone backed off to by the word after that call (Witten-Bell, as <see cref="Probabilities"/>),
    /// averaged over those words. <see cref="UsageEstimate.Order"/> is 1 when a word was seen after this very call, 0
    /// when only alone, -1 when no word was seen; the evidence sums the words' counts.
    /// </summary>
    public UsageEstimate WordProbabilities(IReadOnlyCollection<string> words, int last, int operationCount, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(words);
        var sum = new float[operationCount];
        // One scratch estimate for every word: a request on a large spec reads up to 16 of them.
        float[]? p = null;
        var (order, evidence, seen) = (-1, 0f, 0);
        lock (_gate)
        {
            foreach (var word in words)
            {
                if (!_words.TryGetValue((word, AnyLast), out var alone))
                {
                    continue;
                }

                if (p is null)
                {
                    p = new float[operationCount];
                }
                else
                {
                    Array.Clear(p);
                }

                var total = BackOff(p, alone, now);
                if (total <= 0)
                {
                    continue;
                }

                var wordOrder = 0;
                if (_words.TryGetValue((word, last), out var afterLast) && BackOff(p, afterLast, now) is > 0 and var afterTotal)
                {
                    (total, wordOrder) = (afterTotal, 1);
                }

                for (var i = 0; i < sum.Length; i++)
                {
                    sum[i] += p[i];
                }

                (order, evidence, seen) = (Math.Max(order, wordOrder), evidence + total, seen + 1);
            }
        }

        for (var i = 0; seen > 1 && i < sum.Length; i++)
        {
            sum[i] /= seen;
        }

        return new UsageEstimate(sum, order, evidence);
    }

    /// <summary>
    /// The chance of each of <paramref name="operationCount"/> operations to follow <paramref name="before"/>: from
    /// the empty context up to the longest, each order's counts weigh against its number of distinct followers, the
    /// rest backs off to the order below (Witten-Bell). Below order 0 lies <paramref name="lower"/> (a wider layer's
    /// estimate) or nothing, so an operation never seen after anything scores 0.
    /// </summary>
    public UsageEstimate Probabilities(IReadOnlyList<int> before, int operationCount, DateTimeOffset now, float[]? lower = null)
    {
        var p = lower is null ? new float[operationCount] : (float[])lower.Clone();
        var (longest, evidence) = (-1, 0f);
        lock (_gate)
        {
            for (var order = 0; order <= before.Count; order++)
            {
                if (!_contexts.TryGetValue(UsageContext.Of(before, order), out var followers))
                {
                    break;
                }

                var total = BackOff(p, followers, now);
                if (total <= 0)
                {
                    break;
                }

                (longest, evidence) = (order, total);
            }
        }

        return new UsageEstimate(p, longest, evidence);
    }

    private void Add<TKey>(Dictionary<TKey, Followers> contexts, TKey key, int next, double weight, DateTimeOffset at)
        where TKey : notnull
    {
        if (!contexts.TryGetValue(key, out var followers))
        {
            contexts[key] = followers = new Followers(at);
        }

        followers.Add(next, weight, at, HalfLife);
    }

    // One order of Witten-Bell: what the order below gave keeps the share of this context's distinct followers, the
    // rest goes to its counts. Gives the context's faded total; with none, p is left as it was.
    private float BackOff(float[] p, Followers followers, DateTimeOffset now)
    {
        var scale = followers.Scale(now, HalfLife);
        var total = followers.Total * scale;
        var distinct = followers.Weights.Count;
        if (total <= 0)
        {
            return 0;
        }

        var keep = distinct / (total + distinct);
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = (float)(keep * p[i]);
        }

        foreach (var (next, weight) in followers.Weights)
        {
            if ((uint)next < (uint)p.Length)
            {
                p[next] += (float)(weight * scale / (total + distinct));
            }
        }

        return (float)total;
    }

    private sealed class Followers(DateTimeOffset reference)
    {
        public DateTimeOffset Reference { get; private set; } = reference;

        public Dictionary<int, double> Weights { get; } = [];

        public double Total { get; private set; }

        public void Add(int next, double weight, DateTimeOffset at, TimeSpan? halfLife)
        {
            var scaled = weight / Scale(at, halfLife);
            if (scaled > Rebase)
            {
                Rescale(at, halfLife);
                scaled = weight;
            }

            Weights[next] = Weights.GetValueOrDefault(next) + scaled;
            Total += scaled;
        }

        /// <summary>What a stored weight is worth at <paramref name="now"/>.</summary>
        public double Scale(DateTimeOffset now, TimeSpan? halfLife) =>
            halfLife is { } half ? Math.Pow(0.5, (now - Reference) / half) : 1;

        private void Rescale(DateTimeOffset at, TimeSpan? halfLife)
        {
            var scale = Scale(at, halfLife);
            foreach (var next in Weights.Keys.ToList())
            {
                // What has faded to nothing is forgotten, or it would still count as a distinct follower.
                if ((Weights[next] *= scale) < 1e-9)
                {
                    Weights.Remove(next);
                }
            }

            Total = Weights.Values.Sum();
            Reference = at;
        }
    }
}

/// <summary>What a layer of usage expects next.</summary>
/// <param name="Probabilities">Per operation index; 0 for what was never seen to follow.</param>
/// <param name="Order">The longest context with counts (0 = only how often each operation is called at all; -1 = none).</param>
/// <param name="Evidence">The (faded) number of calls counted after that context.</param>
public sealed record UsageEstimate(float[] Probabilities, int Order, float Evidence)
{
    public bool Any => Order >= 0;
}

/// <summary>A context of learned usage: the operations of the last <see cref="Order"/> calls, oldest first.</summary>
public readonly record struct UsageContext(int Order, int A, int B, int C)
{
    /// <summary>The last <paramref name="order"/> entries of <paramref name="before"/>.</summary>
    public static UsageContext Of(IReadOnlyList<int> before, int order)
    {
        int At(int back) => back <= order ? before[before.Count - back] : 0;
        return new UsageContext(order, At(3), At(2), At(1));
    }

    /// <summary>
    /// The calls a next call is counted after: the last <see cref="UsageCounts.MaxOrder"/> operations of the history,
    /// oldest first, <see cref="UsageCounts.Outside"/> for a call that is no operation of the spec, with
    /// <see cref="UsageCounts.Start"/> first when the history begins within them.
    /// </summary>
    public static IReadOnlyList<int> Before(IReadOnlyList<ResolvedEvent> history)
    {
        var before = new List<int>(UsageCounts.MaxOrder);
        for (var i = history.Count - 1; before.Count < UsageCounts.MaxOrder; i--)
        {
            if (i < 0)
            {
                before.Add(UsageCounts.Start);
                break;
            }

            before.Add(history[i].Operation?.Index ?? UsageCounts.Outside);
        }

        before.Reverse();
        return before;
    }
}
