using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training;

/// <summary>
/// A stand-in for a language model's answer in the training data, so the ranker learns what the LLM features mean
/// (and to rank well without them) before real outcomes of LLM candidates arrive through feedback. Its accuracy is an
/// assumption, set by <see cref="TrainingOptions.SimulatedLlmHitRate"/>, not a measurement: a model trained on it
/// trusts an LLM about as much as that rate says. It answers as a model shown the local generator's best operations
/// would: mostly operations the local generator also ranks high, now and then one it ranks low, and the true next
/// call with the configured probability, placed high more often than low.
/// </summary>
internal static class SimulatedLlm
{
    /// <summary>The operations of the simulated answer, best first, without duplicates.</summary>
    /// <param name="local">The local generator's pool, best first.</param>
    /// <param name="truth">The true next call.</param>
    /// <param name="mayHoldTruth">False when the answer must not contain the true call (its group teaches "none of
    /// these").</param>
    public static List<ApiOperation> Answer(Random random, IReadOnlyList<ApiOperation> local, ApiOperation truth,
        bool mayHoldTruth, EndpointCatalog catalog, int size, double hitRate)
    {
        size = Math.Min(size, catalog.Operations.Count);
        var answer = new List<ApiOperation>(size);
        var truthRank = mayHoldTruth && random.NextDouble() < hitRate ? Math.Min(Geometric(random), size - 1) : -1;
        var attempts = 0;
        while (answer.Count < size && attempts++ < size * 20)
        {
            if (answer.Count == truthRank)
            {
                answer.Add(truth);
                continue;
            }

            // Plausible wrong guesses: the local generator's top, weighted to its head; sometimes anything in the spec.
            var guess = random.NextDouble() < 0.8 && local.Count > 0
                ? local[Math.Min(Geometric(random, 0.2), local.Count - 1)]
                : catalog.Operations[random.Next(catalog.Operations.Count)];
            if (guess != truth && !answer.Contains(guess))
            {
                answer.Add(guess);
            }
        }

        return answer;
    }

    // Failures before the first success of a coin with this success probability: 0 most often, then rarer.
    private static int Geometric(Random random, double p = 0.5)
    {
        var n = 0;
        while (random.NextDouble() >= p && n < 64)
        {
            n++;
        }

        return n;
    }
}
