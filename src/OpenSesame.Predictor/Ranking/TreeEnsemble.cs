using System.Runtime.CompilerServices;

namespace OpenSesame.Predictor.Ranking;

/// <summary>One regression tree of a boosted ensemble, in LightGBM's layout: internal nodes 0..n-2, leaves as ~index.</summary>
/// <param name="SplitFeature">Feature index tested at each internal node.</param>
/// <param name="Threshold">Go left when the feature value is at most this.</param>
/// <param name="Left">Left child: a node index, or ~leaf for a leaf.</param>
/// <param name="Right">Right child: a node index, or ~leaf for a leaf.</param>
/// <param name="LeafValue">Output of each leaf.</param>
public sealed record RegressionTree(int[] SplitFeature, float[] Threshold, int[] Left, int[] Right, double[] LeafValue)
{
    public double Evaluate(ReadOnlySpan<float> features)
    {
        if (SplitFeature.Length == 0)
        {
            return LeafValue.Length > 0 ? LeafValue[0] : 0;
        }

        var node = 0;
        while (node >= 0)
        {
            node = features[SplitFeature[node]] <= Threshold[node] ? Left[node] : Right[node];
        }

        return LeafValue[~node];
    }
}

/// <summary>
/// A trained LightGBM ensemble scored in plain C#: no ML.NET at serving time, thread-safe, and identical to ML.NET's
/// own scores (a test checks it). Scores are relative: only their order within a group and their calibrated
/// transform mean anything.
/// </summary>
public sealed record TreeEnsemble(double Bias, double[] TreeWeights, RegressionTree[] Trees)
{
    public double Score(ReadOnlySpan<float> features)
    {
        var score = Bias;
        for (var t = 0; t < Trees.Length; t++)
        {
            score += TreeWeights[t] * Trees[t].Evaluate(features);
        }

        return score;
    }

    /// <summary>What each tree adds to the score of <paramref name="features"/> (its weight times its leaf).</summary>
    public double[] TreeOutputs(ReadOnlySpan<float> features)
    {
        var outputs = new double[Trees.Length];
        for (var t = 0; t < Trees.Length; t++)
        {
            outputs[t] = TreeWeights[t] * Trees[t].Evaluate(features);
        }

        return outputs;
    }

    /// <summary>
    /// <c>Score(features) - Score(probe)</c>, given the <see cref="TreeOutputs"/> of <c>features</c>, where
    /// <paramref name="probe"/> differs from them in <paramref name="feature"/> alone: only the trees that test that
    /// feature are evaluated again (a third of them on average), which makes explaining a prediction, one probe per
    /// feature, cheaper than scoring the whole ensemble for each.
    /// </summary>
    public double ScoreLoss(double[] outputs, ReadOnlySpan<float> probe, int feature)
    {
        var trees = TreesTesting;
        var loss = 0.0;
        foreach (var t in feature < trees.Length ? trees[feature] : [])
        {
            loss += outputs[t] - (TreeWeights[t] * Trees[t].Evaluate(probe));
        }

        return loss;
    }

    // Which trees test each feature, per array of trees (not per record, which `with` copies along with its fields).
    private static readonly ConditionalWeakTable<RegressionTree[], int[][]> TreesByFeature = new();

    private int[][] TreesTesting => TreesByFeature.GetValue(Trees, trees => [.. Enumerable
        .Range(0, trees.Length == 0 ? 0 : trees.Max(t => t.SplitFeature.DefaultIfEmpty(-1).Max()) + 1)
        .Select(f => Enumerable.Range(0, trees.Length).Where(t => trees[t].SplitFeature.Contains(f)).ToArray())]);
}
