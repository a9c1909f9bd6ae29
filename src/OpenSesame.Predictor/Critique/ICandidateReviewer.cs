using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Critique;

/// <summary>A last look at the ranked list before it is answered; may remove suggestions, never adds or reorders.</summary>
public interface ICandidateReviewer
{
    /// <summary>The ranked candidates without those the review vetoed; only the first <paramref name="k"/> are looked at.</summary>
    ValueTask<IReadOnlyList<Candidate>> ReviewAsync(PredictionContext context, IReadOnlyList<Candidate> ranked, int k,
        CancellationToken cancellationToken);
}
