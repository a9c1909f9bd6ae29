using OpenSesame.Predictor.Features;

namespace OpenSesame.Predictor.Ranking;

/// <summary>Ranks by <see cref="HeuristicScorer"/>; scores become probabilities over the pool with a softmax.</summary>
internal sealed class HeuristicRanker : ICandidateRanker
{
    public const string ModelVersion = "heuristic-v1";

    public string Version => ModelVersion;

    public IReadOnlyList<ScoredCandidate> Rank(RankingRequest request, int explain)
    {
        var candidates = request.Candidates;
        if (candidates.Count == 0)
        {
            return [];
        }

        var raw = request.Vectors.Select(v => v[FeatureSchema.Heuristic]).ToArray();
        var max = raw.Max();
        var exp = raw.Select(r => Math.Exp(r - max)).ToArray();
        var total = exp.Sum();
        var scores = exp.Select(e => e / total).ToArray();
        var order = Enumerable.Range(0, candidates.Count)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => candidates[i].Operation.Index);
        return [.. order.Select((i, rank) => new ScoredCandidate(candidates[i], request.Vectors[i], scores[i],
            rank < explain ? Explainer.Explain(request, candidates[i], request.Vectors[i], HeuristicScorer.Contributions(request.Vectors[i])) : ""))];
    }
}
