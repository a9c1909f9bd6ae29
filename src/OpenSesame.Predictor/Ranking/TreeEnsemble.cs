using System.Numerics;

namespace OpenSesame.Predictor.Ranking;

/// <summary>One regression tree of a boosted ensemble, in LightGBM's layout: internal nodes 0..n-2, leaves as ~index.</summary>
/// <param name="SplitFeature">Feature index tested at each internal node.</param>
/// <param name="Threshold">Go left when the feature value is at most this.</param>
/// <param name="Left">Left child: a node index, or ~leaf for a leaf.</param>
/// <param name="Right">Right child: a node index, or ~leaf for a leaf.</param>
/// <param name="LeafValue">Output of each leaf.</param>
public sealed record RegressionTree(int[] SplitFeature, float[] Threshold, int[] Left, int[] Right, double[] LeafValue);

/// <summary>
/// A trained LightGBM ensemble scored in plain C#: no ML.NET at serving time, thread-safe, and identical to ML.NET's
/// own scores (a test checks it). Scores are relative: only their order within a group and their calibrated
/// transform mean anything. A class, not a record: the packed form below is built from the trees and weights once,
/// and a <c>with</c> that changed them would have copied it stale.
/// </summary>
public sealed class TreeEnsemble
{
    // Every tree's internal nodes in one array (children as indexes into it, leaves as ~index into _leafOutputs), and
    // each leaf's output already multiplied by its tree's weight: a walk reads one 16-byte node per level instead of
    // four arrays, and the products are the same doubles the weights times the leaves give.
    private readonly Node[] _nodes;
    private readonly int[] _roots;
    private readonly double[] _leafOutputs;

    public TreeEnsemble(double bias, double[] treeWeights, RegressionTree[] trees)
    {
        Bias = bias;
        TreeWeights = treeWeights;
        Trees = trees;
        var nodes = new List<Node>();
        var leaves = new List<double>();
        _roots = new int[trees.Length];
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = trees[t];
            int nodeBase = nodes.Count, leafBase = leaves.Count;
            leaves.AddRange(tree.LeafValue.Select(value => treeWeights[t] * value));
            if (tree.SplitFeature.Length == 0)
            {
                if (tree.LeafValue.Length == 0)
                {
                    leaves.Add(0);
                }

                _roots[t] = ~leafBase;
                continue;
            }

            _roots[t] = nodeBase;
            for (var n = 0; n < tree.SplitFeature.Length; n++)
            {
                nodes.Add(new Node(tree.SplitFeature[n], tree.Threshold[n], Child(tree.Left[n]), Child(tree.Right[n])));
            }

            int Child(int child) => child >= 0 ? nodeBase + child : ~(leafBase + ~child);
        }

        _nodes = [.. nodes];
        _leafOutputs = [.. leaves];
    }

    public double Bias { get; }

    public double[] TreeWeights { get; }

    public RegressionTree[] Trees { get; }

    public double Score(ReadOnlySpan<float> features)
    {
        var score = Bias;
        for (var t = 0; t < _roots.Length; t++)
        {
            score += _leafOutputs[Leaf(t, features)];
        }

        return score;
    }

    /// <summary>
    /// <see cref="Score"/> of every vector, tree by tree: each tree's nodes are read once for the whole pool while
    /// they are in the cache, rather than the whole ensemble once per vector. Each score adds the same terms in the
    /// same order, so it is the same double.
    /// </summary>
    public double[] ScoreAll(IReadOnlyList<float[]> vectors)
    {
        var scores = new double[vectors.Count];
        Array.Fill(scores, Bias);
        for (var t = 0; t < _roots.Length; t++)
        {
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] += _leafOutputs[Leaf(t, vectors[i])];
            }
        }

        return scores;
    }

    /// <summary>
    /// What each tree adds to the score of <paramref name="features"/>, and which features each tree tests on the way
    /// to its leaf: changing one feature can change only the outputs of the trees that test it there.
    /// </summary>
    public TreePaths Paths(ReadOnlySpan<float> features)
    {
        var paths = new TreePaths(_roots.Length, features.Length);
        for (var t = 0; t < _roots.Length; t++)
        {
            var node = _roots[t];
            while (node >= 0)
            {
                ref readonly var n = ref _nodes[node];
                paths.Add(t, n.Feature);
                node = features[n.Feature] <= n.Threshold ? n.Left : n.Right;
            }

            paths.Outputs[t] = _leafOutputs[~node];
        }

        return paths;
    }

    /// <summary>
    /// <c>Score(features) - Score(probe)</c>, given the <see cref="Paths"/> of <c>features</c>, where
    /// <paramref name="probe"/> differs from them in <paramref name="feature"/> alone: only the trees whose path tests
    /// that feature are walked again, which makes explaining a prediction, one probe per feature, far cheaper than
    /// scoring the whole ensemble for each. The other trees' terms would be exactly zero, so the sum is the same.
    /// </summary>
    public double ScoreLoss(TreePaths paths, ReadOnlySpan<float> probe, int feature)
    {
        var loss = 0.0;
        var trees = paths.TreesTesting(feature);
        for (var word = 0; word < trees.Length; word++)
        {
            // Set bits lowest first: the trees in ascending order, as the whole score adds them.
            for (var bits = trees[word]; bits != 0; bits &= bits - 1)
            {
                var t = (word * 64) + BitOperations.TrailingZeroCount(bits);
                loss += paths.Outputs[t] - _leafOutputs[Leaf(t, probe)];
            }
        }

        return loss;
    }

    private int Leaf(int tree, ReadOnlySpan<float> features)
    {
        var node = _roots[tree];
        while (node >= 0)
        {
            ref readonly var n = ref _nodes[node];
            node = features[n.Feature] <= n.Threshold ? n.Left : n.Right;
        }

        return ~node;
    }

    private readonly record struct Node(int Feature, float Threshold, int Left, int Right);
}

/// <summary>One feature vector's walk through an ensemble: each tree's output, and the trees that tested each feature.</summary>
public sealed class TreePaths
{
    // Per feature, a bit per tree: setting one is all a walk adds per node, so recording the paths costs about what
    // scoring does, and a probe finds its feature's trees a word of 64 at a time.
    private readonly ulong[] _trees;
    private readonly int _words;
    private readonly int _features;

    internal TreePaths(int trees, int features)
    {
        Outputs = new double[trees];
        _words = (trees + 63) / 64;
        _features = features;
        _trees = new ulong[features * _words];
    }

    /// <summary>What each tree adds to the score (its weight times the leaf reached).</summary>
    public double[] Outputs { get; }

    /// <summary>Whether tree <paramref name="tree"/> tests <paramref name="feature"/> on its path to the leaf.</summary>
    public bool Tests(int tree, int feature) =>
        (uint)feature < (uint)_features && (TreesTesting(feature)[tree >> 6] & (1UL << tree)) != 0;

    internal ReadOnlySpan<ulong> TreesTesting(int feature) =>
        (uint)feature < (uint)_features ? _trees.AsSpan(feature * _words, _words) : [];

    internal void Add(int tree, int feature) => _trees[(feature * _words) + (tree >> 6)] |= 1UL << tree;
}
