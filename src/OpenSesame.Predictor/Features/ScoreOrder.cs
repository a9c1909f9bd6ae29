namespace OpenSesame.Predictor.Features;

/// <summary>
/// Indexes ordered by their scores, highest first, ties by index: LINQ's
/// <c>OrderByDescending(i =&gt; scores[i]).ThenBy(i =&gt; i)</c>, but as one sort of 64-bit keys. A request orders the
/// whole spec several times (by the prompt's words, its meaning, the history's structure, ...), which on a spec of
/// hundreds of operations made LINQ's comparisons one of the request's largest costs.
/// </summary>
internal static class ScoreOrder
{
    /// <summary>Every index of <paramref name="scores"/>, or only those above zero, highest score first.</summary>
    public static int[] Descending(ReadOnlySpan<float> scores, bool positiveOnly = false)
    {
        var keys = new ulong[scores.Length];
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (!positiveOnly || scores[i] > 0)
            {
                // Highest first: the complement of the score's ascending key in the high half; ties by index.
                keys[count++] = ((ulong)~Ascending(scores[i]) << 32) | (uint)i;
            }
        }

        var order = keys.AsSpan(0, count);
        order.Sort();
        var indexes = new int[count];
        for (var i = 0; i < count; i++)
        {
            indexes[i] = (int)(uint)order[i];
        }

        return indexes;
    }

    /// <summary>The rank of each index in <see cref="Descending"/>'s order (0 for the highest score).</summary>
    public static int[] Ranks(ReadOnlySpan<float> scores)
    {
        var order = Descending(scores);
        var ranks = new int[scores.Length];
        for (var rank = 0; rank < order.Length; rank++)
        {
            ranks[order[rank]] = rank;
        }

        return ranks;
    }

    // An unsigned key in the order float.CompareTo gives: NaN below everything, -0 equal to 0.
    private static uint Ascending(float score)
    {
        if (float.IsNaN(score))
        {
            return 0;
        }

        var bits = BitConverter.SingleToUInt32Bits(score == 0 ? 0f : score);
        // Negative numbers: all bits flipped, so larger magnitudes sort lower; positive: the sign bit set, above them.
        // The smallest key a number gets is that of -Infinity, 0x007FFFFF, so 0 stays NaN's.
        return (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000;
    }
}
