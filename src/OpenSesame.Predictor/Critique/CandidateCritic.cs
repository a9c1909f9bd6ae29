using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Critique;

/// <summary>A pool candidate the critic let through: its parameters filled, its destructive verdict given.</summary>
/// <param name="Params">Path, query and body parameters: values from the prompt, the history or a generator's
/// proposal, null when required but unknown.</param>
/// <param name="Destructive">The request's destructive-call policy finds that it deletes, voids, cancels... something.</param>
public sealed record ReviewedCandidate(PooledCandidate Candidate, IReadOnlyDictionary<string, object?> Params, bool Destructive)
{
    public ApiOperation Operation => Candidate.Operation;
}

/// <summary>
/// The last gate before ranking, for the candidates of every generator: the request's destructive-call policy drops
/// or flags what the prompt did not ask for, and every survivor gets its parameters filled from the history and the
/// prompt.
/// </summary>
internal static class CandidateCritic
{
    public static IReadOnlyList<ReviewedCandidate> Review(PredictionContext context, CandidatePool pool)
    {
        // What the user showed us, gathered only if a generator proposed a path id that must be checked against it.
        var seen = new Lazy<SeenValues>(() => new SeenValues(context));
        var kept = new List<ReviewedCandidate>();
        foreach (var candidate in pool.Candidates)
        {
            var destructive = context.Destructive.IsDestructive(candidate.Operation);
            if (!context.Destructive.MaySuggest(destructive, context.PromptTerms))
            {
                continue;
            }

            kept.Add(new ReviewedCandidate(candidate, ParameterFiller.Fill(context, candidate, seen), destructive));
        }

        return kept;
    }
}
