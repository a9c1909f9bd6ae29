using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Candidates;

/// <summary>Proposes next calls. Every source of candidates (the local generator, an LLM) is one of these.</summary>
public interface ICandidateGenerator
{
    /// <summary>The name recorded in <see cref="Candidate.Source"/> and in the generator-rank features.</summary>
    string Name { get; }

    /// <summary>Up to <paramref name="count"/> distinct operations of the context's spec, best first.</summary>
    ValueTask<IReadOnlyList<Candidate>> GenerateAsync(PredictionContext context, int count, CancellationToken cancellationToken);
}
