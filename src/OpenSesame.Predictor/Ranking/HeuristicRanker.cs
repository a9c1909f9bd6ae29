using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Ranking;

/// <summary>Ranks by <see cref="HeuristicScorer"/>; scores become probabilities over the pool with a softmax.</summary>
internal sealed class HeuristicRanker : ICandidateRanker
{
    public const string ModelVersion = "heuristic-v1";

    public string Version => ModelVersion;

    public IReadOnlyList<Candidate> Rank(PredictionContext context, IReadOnlyList<Candidate> candidates, int explain)
    {
        if (candidates.Count == 0)
        {
            return candidates;
        }

        var raw = candidates.Select(c => c.Features[FeatureSchema.Heuristic]).ToArray();
        var max = raw.Max();
        var exp = raw.Select(r => Math.Exp(r - max)).ToArray();
        var total = exp.Sum();
        for (var i = 0; i < candidates.Count; i++)
        {
            candidates[i].Score = exp[i] / total;
        }

        var ranked = candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Operation.Index).ToList();
        foreach (var candidate in ranked.Take(explain))
        {
            candidate.Why = Explainer.Explain(context, candidate, HeuristicScorer.Contributions(candidate.Features));
        }

        return ranked;
    }
}
