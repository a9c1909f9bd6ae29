namespace OpenSesame.Predictor.Specs;

/// <summary>How far apart two spellings are, for telling a typo of a spec's word from another word.</summary>
internal static class EditDistance
{
    /// <summary>
    /// Whether <paramref name="a"/> becomes <paramref name="b"/> in at most <paramref name="edits"/> insertions,
    /// deletions or substitutions of one character, or with <paramref name="swaps"/> also swaps of two adjacent ones
    /// (the optimal string alignment distance: no character is edited twice).
    /// </summary>
    public static bool Within(string a, string b, int edits, bool swaps = false)
    {
        if (Math.Abs(a.Length - b.Length) > edits)
        {
            return false;
        }

        // Three rows of the distance table: two back for a swap, the previous one, and the one being filled.
        var width = b.Length + 1;
        Span<int> rows = width <= 128 ? stackalloc int[3 * width] : new int[3 * width];
        var beforePrevious = rows[..width];
        var previous = rows.Slice(width, width);
        var current = rows[(2 * width)..];
        for (var j = 0; j < width; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var distance = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                if (swaps && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    distance = Math.Min(distance, beforePrevious[j - 2] + 1);
                }

                current[j] = distance;
            }

            var reused = beforePrevious;
            beforePrevious = previous;
            previous = current;
            current = reused;
        }

        return previous[b.Length] <= edits;
    }
}
