using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Critique;

/// <summary>
/// The last gate before ranking: destructive operations only pass when the prompt asks for removal, and every
/// survivor gets its parameters filled from the history and the prompt.
/// </summary>
internal static class CandidateCritic
{
    public static List<Candidate> Review(PredictionContext context, IEnumerable<Candidate> candidates)
    {
        var kept = new List<Candidate>();
        foreach (var candidate in candidates)
        {
            if (candidate.Operation.IsDestructive && !context.RemovalIntent)
            {
                continue;
            }

            ParameterFiller.Fill(context, candidate);
            kept.Add(candidate);
        }

        return kept;
    }
}
