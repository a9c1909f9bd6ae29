namespace OpenSesame.Predictor.Outcomes;

/// <summary>The two ways a deployment's predictions drift, measured from the outcome log.</summary>
public static class DriftMeasures
{
    // A bin that one side leaves empty would make the index infinite; this share stands in for "almost none".
    private const double EmptyShare = 1e-4;

    /// <summary>
    /// The population stability index of <paramref name="current"/> against <paramref name="reference"/>:
    /// Σ (c − r) · ln(c / r) over bins cut at the reference's deciles (fewer when values repeat, as 0/1 features do).
    /// Below 0.1 is read as stable, above 0.25 as a shift worth a look (the usual credit-scoring thresholds).
    /// 0 when either side has no values.
    /// </summary>
    public static double PopulationStability(IReadOnlyList<float> reference, IReadOnlyList<float> current, int bins = 10)
    {
        if (reference.Count == 0 || current.Count == 0)
        {
            return 0;
        }

        var sorted = reference.Order().ToArray();
        var cuts = Enumerable.Range(1, bins - 1)
            .Select(i => sorted[Math.Min(sorted.Length - 1, i * sorted.Length / bins)])
            .Distinct()
            .ToArray();
        var expected = Shares(reference, cuts);
        var actual = Shares(current, cuts);
        return expected.Zip(actual, (r, c) => (c - r) * Math.Log(c / r)).Sum();
    }

    /// <summary>Top-1, top-3 and mean reciprocal rank of outcomes, from the place the chosen call had among the
    /// suggestions (null: not among them, or nothing was chosen).</summary>
    public static OnlineQuality Quality(IReadOnlyCollection<int?> ranks) => ranks.Count == 0
        ? new OnlineQuality(0, 0, 0, 0)
        : new OnlineQuality(ranks.Count,
            ranks.Count(r => r == 1) / (double)ranks.Count,
            ranks.Count(r => r is <= 3) / (double)ranks.Count,
            ranks.Sum(r => r is { } rank ? 1.0 / rank : 0) / ranks.Count);

    // Values equal to a cut go to the bin below it, so a 0/1 feature with its cut at 0 splits into 0 and 1.
    private static double[] Shares(IReadOnlyList<float> values, float[] cuts)
    {
        var counts = new double[cuts.Length + 1];
        foreach (var value in values)
        {
            var bin = Array.BinarySearch(cuts, value);
            counts[bin >= 0 ? bin : ~bin]++;
        }

        return [.. counts.Select(c => Math.Max(EmptyShare, c / values.Count))];
    }
}

/// <summary>How well the served suggestions matched what users called, over <paramref name="Outcomes"/> outcomes.</summary>
public sealed record OnlineQuality(int Outcomes, double Top1, double Top3, double Mrr);
