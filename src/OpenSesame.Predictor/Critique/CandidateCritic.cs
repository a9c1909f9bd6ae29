using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Critique;

/// <summary>
/// The last gate before ranking, for the candidates of every generator: the request's destructive-call policy drops
/// or flags what the prompt did not ask for, and every survivor gets its parameters filled from the history and the
/// prompt.
/// </summary>
internal static class CandidateCritic
{
    public static List<Candidate> Review(PredictionContext context, IEnumerable<Candidate> candidates)
    {
        var kept = new List<Candidate>();
        foreach (var candidate in candidates)
        {
            if (!context.Destructive.Admit(context, candidate))
            {
                continue;
            }

            ParameterFiller.Fill(context, candidate);
            kept.Add(candidate);
        }

        return kept;
    }
}
