namespace OpenSesame.Predictor.Ranking;

/// <summary>
/// Turns a group's raw ranker scores into probabilities that each candidate is the next call, with room for "none of
/// these": p_i = exp(T·s_i) / (exp(B) + Σ_j exp(T·s_j)). T sharpens or flattens the scores; B is the weight of the
/// next call being outside the pool. Both are fitted by maximum likelihood on held-out groups, including groups
/// whose true call is absent, so the probabilities of a pool sum to the chance that the pool holds the answer.
/// </summary>
public sealed record ScoreCalibration(double Temperature, double NoneLogit)
{
    public static readonly ScoreCalibration Identity = new(1, double.NegativeInfinity);

    public double[] Probabilities(IReadOnlyList<double> scores)
    {
        var probabilities = new double[scores.Count];
        if (scores.Count == 0)
        {
            return probabilities;
        }

        var max = Math.Max(scores.Max() * Temperature, NoneLogit);
        var none = double.IsNegativeInfinity(NoneLogit) ? 0 : Math.Exp(NoneLogit - max);
        var total = none;
        for (var i = 0; i < scores.Count; i++)
        {
            probabilities[i] = Math.Exp((scores[i] * Temperature) - max);
            total += probabilities[i];
        }

        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] /= total;
        }

        return probabilities;
    }

    /// <summary>Mean negative log-likelihood of the true candidate (or of "none" for groups without one).</summary>
    public double NegativeLogLikelihood(IEnumerable<(IReadOnlyList<double> Scores, int Positive)> groups)
    {
        double total = 0;
        var count = 0;
        foreach (var (scores, positive) in groups)
        {
            var p = Probabilities(scores);
            var chosen = positive >= 0 ? p[positive] : Math.Max(0, 1 - p.Sum());
            total -= Math.Log(Math.Max(chosen, 1e-12));
            count++;
        }

        return count == 0 ? 0 : total / count;
    }

    /// <summary>
    /// Fits T and B: a coarse grid, then coordinate refinement with shrinking steps. Two parameters and a smooth,
    /// convex-enough objective make this simple search exact to three decimals and fully deterministic.
    /// </summary>
    /// <param name="groups">Raw scores per group and the index of the true call, or -1 when the pool lacks it.</param>
    public static ScoreCalibration Fit(IReadOnlyList<(IReadOnlyList<double> Scores, int Positive)> groups)
    {
        if (groups.Count == 0)
        {
            return new ScoreCalibration(1, 0);
        }

        var best = new ScoreCalibration(1, 0);
        var bestLoss = double.MaxValue;
        foreach (var t in new[] { 0.1, 0.25, 0.5, 1, 2, 4, 8 })
        {
            foreach (var b in new[] { -4.0, -2, 0, 2, 4, 8 })
            {
                var candidate = new ScoreCalibration(t, b);
                var loss = candidate.NegativeLogLikelihood(groups);
                if (loss < bestLoss)
                {
                    (best, bestLoss) = (candidate, loss);
                }
            }
        }

        var (stepT, stepB) = (best.Temperature / 2, 1.0);
        for (var round = 0; round < 60 && (stepT > 1e-4 || stepB > 1e-4); round++)
        {
            var improved = false;
            foreach (var candidate in new[]
                     {
                         best with { Temperature = best.Temperature + stepT },
                         best with { Temperature = Math.Max(1e-3, best.Temperature - stepT) },
                         best with { NoneLogit = best.NoneLogit + stepB },
                         best with { NoneLogit = best.NoneLogit - stepB },
                     })
            {
                var loss = candidate.NegativeLogLikelihood(groups);
                if (loss < bestLoss - 1e-9)
                {
                    (best, bestLoss, improved) = (candidate, loss, true);
                }
            }

            if (!improved)
            {
                (stepT, stepB) = (stepT / 2, stepB / 2);
            }
        }

        return best;
    }

    /// <summary>Expected calibration error over equal-width probability bins: Σ (n_b/N)·|hit rate_b − mean p_b|.</summary>
    public static double ExpectedCalibrationError(IEnumerable<(double Probability, bool Hit)> predictions, int bins = 10)
    {
        var count = new int[bins];
        var confidence = new double[bins];
        var hits = new double[bins];
        var total = 0;
        foreach (var (probability, hit) in predictions)
        {
            var bin = Math.Min(bins - 1, (int)(probability * bins));
            count[bin]++;
            confidence[bin] += probability;
            hits[bin] += hit ? 1 : 0;
            total++;
        }

        if (total == 0)
        {
            return 0;
        }

        double error = 0;
        for (var b = 0; b < bins; b++)
        {
            if (count[b] > 0)
            {
                error += count[b] / (double)total * Math.Abs((hits[b] / count[b]) - (confidence[b] / count[b]));
            }
        }

        return error;
    }
}
