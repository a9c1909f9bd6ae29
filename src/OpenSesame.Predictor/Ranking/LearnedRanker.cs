using OpenSesame.Predictor.Features;

namespace OpenSesame.Predictor.Ranking;

/// <summary>
/// Ranks with a trained LightGBM ensemble and calibrated probabilities. The <c>why</c> names the features that moved a
/// candidate most relative to the rest of its pool: each feature the candidate has more of than the pool's mean is
/// set to that mean in turn, and the score it loses is that feature's contribution. (Features it has less of may
/// also help it, but "it is not a parent path" explains nothing to a reader. Features the explainer has no words for
/// are not probed at all: no sentence could name them.)
/// </summary>
internal sealed class LearnedRanker(RankerModel model) : ICandidateRanker
{
    public string Version => model.Version;

    public RankerModel Model => model;

    public IReadOnlyList<ScoredCandidate> Rank(RankingRequest request, int explain)
    {
        var candidates = request.Candidates;
        if (candidates.Count == 0)
        {
            return [];
        }

        var raw = model.Ensemble.ScoreAll(request.Vectors);
        var probabilities = model.Calibration.Probabilities(raw);
        var order = Enumerable.Range(0, candidates.Count)
            .OrderByDescending(i => raw[i])
            .ThenBy(i => candidates[i].Operation.Index)
            .ToList();
        var means = PoolMeans(request.Vectors);
        return [.. order.Select((i, rank) => new ScoredCandidate(candidates[i], request.Vectors[i], probabilities[i],
            rank < explain ? Explainer.Explain(request, candidates[i], request.Vectors[i], Contributions(request.Vectors[i], means)) : ""))];
    }

    private IEnumerable<(int Feature, float Value)> Contributions(float[] features, float[] means)
    {
        var paths = model.Ensemble.Paths(features);
        var probe = (float[])features.Clone();
        for (var f = 0; f < probe.Length; f++)
        {
            if (probe[f] <= means[f] || !Explainer.CanName(f))
            {
                continue;
            }

            probe[f] = means[f];
            yield return (f, (float)model.Ensemble.ScoreLoss(paths, probe, f));
            probe[f] = features[f];
        }
    }

    private static float[] PoolMeans(IReadOnlyList<float[]> vectors)
    {
        var means = new float[FeatureSchema.Count];
        foreach (var vector in vectors)
        {
            for (var f = 0; f < means.Length; f++)
            {
                means[f] += vector[f] / vectors.Count;
            }
        }

        return means;
    }
}
