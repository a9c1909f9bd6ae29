using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Candidates;

/// <summary>
/// Every operation of the spec in the order the local generator would propose them: up to eight orderings merged
/// round-robin (2 : 1 : …), so that an operation strong on one signal only still comes early. The orderings: the
/// combined heuristic score, the prompt's words (BM25), the prompt's meaning (embeddings), the next step of a brief of
/// several (<see cref="PromptSteps"/>), how close it sits to the history, the history alone (transitions), the calls
/// that yield an id the prompt's target lacks (data flow) and what this spec's users called next (learned usage, after
/// these calls or with these words). Made once per request; the first n of it are exactly the shortlist of n.
/// </summary>
public sealed class Shortlist
{
    private readonly IReadOnlyList<ApiOperation> _operations;
    private readonly int[] _order;

    private Shortlist(IReadOnlyList<ApiOperation> operations, int[] order) => (_operations, _order) = (operations, order);

    /// <summary>How many operations the merged orderings reach (those with no signal at all come last or not at all).</summary>
    public int Count => _order.Length;

    /// <summary>The first <paramref name="count"/> operations, best first.</summary>
    public IEnumerable<ApiOperation> Take(int count) => _order.Take(count).Select(index => _operations[index]);

    public static Shortlist Build(RequestFeatures features)
    {
        var context = features.Context;
        var operations = context.Catalog.Operations;
        var combined = new float[operations.Count];
        var history = new float[operations.Count];
        var lexical = new float[operations.Count];
        var semantic = new float[operations.Count];
        var producers = new float[operations.Count];
        var usage = new float[operations.Count];
        var closeness = new float[operations.Count];
        var nextStep = new float[operations.Count];
        for (var i = 0; i < operations.Count; i++)
        {
            var f = features.Features(operations[i]);
            combined[i] = f[FeatureSchema.Heuristic];
            history[i] = HeuristicScorer.HistoryScore(f);
            lexical[i] = features.LexicalScore(operations[i]);
            semantic[i] = features.SemanticScore(operations[i]);
            // Among the producers of a needed id, the one the other signals like best comes first.
            var feeds = f[FeatureSchema.ProducesForPromptTarget];
            producers[i] = feeds > 0 ? feeds + (0.01f * Math.Max(0, combined[i])) : 0;
            usage[i] = Math.Max(Math.Max(f[FeatureSchema.UsageProbability], f[FeatureSchema.UsagePersonal]), f[FeatureSchema.UsageWords]);
            closeness[i] = f[FeatureSchema.Closeness];
            nextStep[i] = f[FeatureSchema.StepNext];
        }

        var orderings = new List<(int[] Order, int Share)> { (Order(combined), 2) };
        if (context.PromptTerms.Count > 0)
        {
            orderings.Add((Order(lexical, positiveOnly: true), 1));
        }

        if (features.HasSemantic)
        {
            orderings.Add((Order(semantic), 1));
        }

        // A brief of several steps: the one after those the history went through, which the whole prompt's
        // orderings above mix with the steps already done.
        if (features.Steps is { Steps.Count: > 1, Next: not null })
        {
            orderings.Add((Order(nextStep, positiveOnly: true), 1));
        }

        if (context.History.Count > 0)
        {
            orderings.Add((Order(closeness, positiveOnly: true), 1));
            orderings.Add((Order(history), 1));
        }

        if (producers.Any(p => p > 0))
        {
            orderings.Add((Order(producers, positiveOnly: true), 1));
        }

        if (usage.Any(u => u > 0))
        {
            orderings.Add((Order(usage, positiveOnly: true), 1));
        }

        return new Shortlist(operations, RoundRobin(orderings, operations.Count));
    }

    private static int[] RoundRobin(List<(int[] Order, int Share)> orderings, int operations)
    {
        var merged = new List<int>(operations);
        var taken = new HashSet<int>();
        var cursors = new int[orderings.Count];
        var progressed = true;
        while (progressed)
        {
            progressed = false;
            for (var o = 0; o < orderings.Count; o++)
            {
                var (order, share) = orderings[o];
                for (var s = 0; s < share; s++)
                {
                    while (cursors[o] < order.Length && !taken.Add(order[cursors[o]]))
                    {
                        cursors[o]++;
                    }

                    if (cursors[o] >= order.Length)
                    {
                        break;
                    }

                    merged.Add(order[cursors[o]++]);
                    progressed = true;
                }
            }
        }

        return [.. merged];
    }

    private static int[] Order(float[] scores, bool positiveOnly = false) => ScoreOrder.Descending(scores, positiveOnly);
}
