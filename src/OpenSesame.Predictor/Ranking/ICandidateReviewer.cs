namespace OpenSesame.Predictor.Ranking;

/// <summary>A last look at the ranked list before it is answered; may remove suggestions, never adds or reorders.</summary>
public interface ICandidateReviewer
{
    /// <summary>The ranked candidates without those the review vetoed; only the first <paramref name="k"/> are looked at.</summary>
    ValueTask<IReadOnlyList<ScoredCandidate>> ReviewAsync(RankingRequest request, IReadOnlyList<ScoredCandidate> ranked, int k,
        CancellationToken cancellationToken);
}
