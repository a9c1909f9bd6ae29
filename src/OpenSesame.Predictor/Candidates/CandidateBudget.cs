namespace OpenSesame.Predictor.Candidates;

/// <summary>
/// How many candidates the local generator puts in the pool: k plus a buffer that grows with the square root of the
/// spec's size. A 12-operation spec needs few spares; on a 900-operation spec the true call of a history-only request
/// sits at rank 20–100 of the local ordering far more often (docs/EVALUATION.md, "Pools"), and scoring another
/// candidate costs microseconds. The service and the training set use the same rule, so the model learns the pools it
/// will rank.
/// </summary>
/// <param name="Buffer">Least number of candidates beyond k.</param>
/// <param name="PerRootOperation">Extra candidates per square root of the spec's operation count.</param>
/// <param name="MaxBuffer">Most candidates beyond k.</param>
public sealed record CandidateBudget(int Buffer, double PerRootOperation, int MaxBuffer)
{
    /// <summary>The pool size for <paramref name="k"/> predictions on a spec of <paramref name="operations"/> operations.</summary>
    public int PoolSize(int k, int operations)
    {
        var grown = (int)Math.Ceiling(PerRootOperation * Math.Sqrt(Math.Max(0, operations)));
        return Math.Max(0, k) + Math.Max(Buffer, Math.Min(MaxBuffer, grown));
    }
}
