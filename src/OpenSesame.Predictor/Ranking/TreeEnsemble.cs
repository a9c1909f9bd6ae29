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
}
