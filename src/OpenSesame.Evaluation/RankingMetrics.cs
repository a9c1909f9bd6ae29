namespace OpenSesame.Evaluation;

/// <summary>One scored question: the predictor's ranked operation keys and the key that was right.</summary>
/// <param name="Ranked">Operation keys, best first; only the first occurrence of a key counts.</param>
/// <param name="Expected">The spec operation key of the gold call (<see cref="EvalCase.Expected"/>).</param>
/// <param name="HistoryLength">How many calls the predictor saw, for the per-bucket breakdown.</param>
internal sealed record RankedCase(IReadOnlyList<string> Ranked, string Expected, int HistoryLength);

/// <summary>Means over <see cref="Count"/> cases; all zero when there are none.</summary>
/// <param name="Mrr">Mean of 1/rank of the expected key over the whole ranked list (0 when absent).</param>
/// <param name="Ndcg5">nDCG@5 with one relevant item: 1/log2(rank + 1) when rank &lt;= 5, else 0.</param>
/// <param name="Coverage">Share of cases whose expected key is anywhere in the ranked list.</param>
internal sealed record RankingScores(int Count, double Top1, double Top3, double Top5, double Mrr, double Ndcg5, double Coverage)
{
    public static readonly RankingScores Empty = new(0, 0, 0, 0, 0, 0, 0);
}

/// <summary>The scores over all cases and per history-length bucket ("0", "1", "2+"; every bucket present).</summary>
internal sealed record RankingReport(RankingScores Overall, IReadOnlyDictionary<string, RankingScores> ByHistory);

/// <summary>
/// Ranking metrics of next-call prediction. Keys are compared ordinally: both sides are operation keys of the same
/// catalog, so a difference in spelling is a wrong prediction, not a formatting accident to forgive.
/// </summary>
internal static class RankingMetrics
{
    public static readonly IReadOnlyList<string> HistoryBuckets = ["0", "1", "2+"];

    /// <summary>The 1-based rank of the first occurrence of <paramref name="expected"/>, or null if it is absent.</summary>
    public static int? RankOf(IReadOnlyList<string> ranked, string expected)
    {
        for (var i = 0; i < ranked.Count; i++)
        {
            if (string.Equals(ranked[i], expected, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return null;
    }

    /// <summary>Cold start, one call of context, and a real history behave differently enough to report apart.</summary>
    public static string HistoryBucket(int historyLength) => historyLength switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(historyLength), historyLength, "A history has no negative length."),
        0 => "0",
        1 => "1",
        _ => "2+",
    };

    public static double ReciprocalRank(int? rank) => rank is { } r ? 1.0 / r : 0;

    public static double Ndcg5(int? rank) => rank is { } r and <= 5 ? 1 / Math.Log2(r + 1) : 0;

    public static RankingScores Score(IEnumerable<RankedCase> cases)
    {
        int count = 0, top1 = 0, top3 = 0, top5 = 0, covered = 0;
        double reciprocal = 0, ndcg = 0;
        foreach (var c in cases)
        {
            var rank = RankOf(c.Ranked, c.Expected);
            count++;
            top1 += rank is <= 1 ? 1 : 0;
            top3 += rank is <= 3 ? 1 : 0;
            top5 += rank is <= 5 ? 1 : 0;
            covered += rank is null ? 0 : 1;
            reciprocal += ReciprocalRank(rank);
            ndcg += Ndcg5(rank);
        }

        if (count == 0)
        {
            return RankingScores.Empty;
        }

        double n = count;
        return new RankingScores(count, top1 / n, top3 / n, top5 / n, reciprocal / n, ndcg / n, covered / n);
    }

    public static RankingReport Compute(IReadOnlyCollection<RankedCase> cases)
    {
        var byHistory = HistoryBuckets.ToDictionary(
            bucket => bucket,
            bucket => Score(cases.Where(c => HistoryBucket(c.HistoryLength) == bucket)),
            StringComparer.Ordinal);
        return new RankingReport(Score(cases), byHistory);
    }
}
