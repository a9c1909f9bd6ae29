using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Ranking;

/// <summary>
/// Ranks with a trained LightGBM ensemble and calibrated probabilities. The <c>why</c> names the features that moved a
/// candidate most relative to the rest of its pool: each feature the candidate has more of than the pool's mean is
/// set to that mean in turn, and the score it loses is that feature's contribution. (Features it has less of may
/// also help it, but "it is not a parent path" explains nothing to a reader.)
/// </summary>
internal sealed class LearnedRanker(RankerModel model) : ICandidateRanker
{
    public string Version => model.Version;

    public RankerModel Model => model;

    public IReadOnlyList<Candidate> Rank(PredictionContext context, IReadOnlyList<Candidate> candidates, int explain)
    {
        if (candidates.Count == 0)
        {
            return candidates;
        }

        var raw = candidates.Select(c => model.Ensemble.Score(c.Features)).ToArray();
        var probabilities = model.Calibration.Probabilities(raw);
        for (var i = 0; i < candidates.Count; i++)
        {
            candidates[i].Score = probabilities[i];
        }

        var order = Enumerable.Range(0, candidates.Count)
            .OrderByDescending(i => raw[i])
            .ThenBy(i => candidates[i].Operation.Index)
            .ToList();
        var means = PoolMeans(candidates);
        foreach (var i in order.Take(explain))
        {
            candidates[i].Why = Explainer.Explain(context, candidates[i], Contributions(candidates[i].Features, raw[i], means));
        }

        return [.. order.Select(i => candidates[i])];
    }

    private IEnumerable<(int Feature, float Value)> Contributions(float[] features, double score, float[] means)
    {
        var probe = (float[])features.Clone();
        for (var f = 0; f < probe.Length; f++)
        {
            if (probe[f] <= means[f])
            {
                continue;
            }

            probe[f] = means[f];
            yield return (f, (float)(score - model.Ensemble.Score(probe)));
            probe[f] = features[f];
        }
    }

    private static float[] PoolMeans(IReadOnlyList<Candidate> candidates)
    {
        var means = new float[FeatureSchema.Count];
        foreach (var candidate in candidates)
        {
            for (var f = 0; f < means.Length; f++)
            {
                means[f] += candidate.Features[f] / candidates.Count;
            }
        }

        return means;
    }
}
