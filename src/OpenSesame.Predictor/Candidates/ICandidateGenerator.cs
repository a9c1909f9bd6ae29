using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;

namespace OpenSesame.Predictor.Candidates;

/// <summary>Proposes next calls. Every source of candidates (the local generator, an LLM) is one of these.</summary>
public interface ICandidateGenerator
{
    /// <summary>The name recorded in a candidate's source and in the generator-rank features.</summary>
    string Name { get; }

    /// <summary>Up to <paramref name="count"/> distinct operations of the request's spec, best first.</summary>
    ValueTask<IReadOnlyList<ProposedCall>> GenerateAsync(CandidateRequest request, int count, CancellationToken cancellationToken);
}

/// <summary>What every generator gets: the request, its features, and the local ordering of the whole spec (the
/// local generator answers with its head; a language model is shown its first operations to choose from).</summary>
/// <param name="K">How many predictions the client asked for.</param>
public sealed record CandidateRequest(PredictionContext Context, RequestFeatures Features, Shortlist Shortlist, int K);
