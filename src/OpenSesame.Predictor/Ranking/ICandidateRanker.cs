using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Ranking;

/// <summary>Orders a pool of candidates whose features are computed, setting <see cref="Candidate.Score"/> and
/// <see cref="Candidate.Why"/>. The heuristic and the learned ranker are interchangeable behind it.</summary>
public interface ICandidateRanker
{
    /// <summary>Reported as <c>model_version</c> in responses.</summary>
    string Version { get; }

    /// <summary>The candidates, best first, with scores in [0, 1] that do not increase down the list; the first
    /// <paramref name="explain"/> of them also get their <see cref="Candidate.Why"/>.</summary>
    IReadOnlyList<Candidate> Rank(PredictionContext context, IReadOnlyList<Candidate> candidates, int explain);
}
