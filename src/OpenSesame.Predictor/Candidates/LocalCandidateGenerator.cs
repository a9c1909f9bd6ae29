using OpenSesame.Predictor.Features;

namespace OpenSesame.Predictor.Candidates;

/// <summary>
/// The always-on, offline generator: the head of the request's <see cref="Shortlist"/>, which orders the whole spec
/// by the features' signals (heuristic score, the prompt's words and meaning, the history, data flow, learned usage).
/// </summary>
internal sealed class LocalCandidateGenerator : ICandidateGenerator
{
    public string Name => GeneratorNames.Local;

    public ValueTask<IReadOnlyList<ProposedCall>> GenerateAsync(CandidateRequest request, int count, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ProposedCall>>([.. request.Shortlist.Take(count).Select(operation => new ProposedCall(operation))]);
}
