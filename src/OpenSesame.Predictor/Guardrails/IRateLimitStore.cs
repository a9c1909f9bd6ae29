namespace OpenSesame.Predictor.Guardrails;

/// <summary>
/// Where the API's rate limiter keeps its counts: in the process by default, in a store every instance shares when one
/// is configured (Redis). A fixed window per caller that starts with the caller's first request, which a shared store
/// counts in one atomic step, so that instances behind one balancer share one limit exactly.
/// </summary>
/// <remarks>Declared here, beside the API keys, so that a storage provider can implement it without referencing the
/// web host. A store that cannot count (its server is down) throws; the host then counts in its own process rather
/// than let the request through unlimited.</remarks>
public interface IRateLimitStore
{
    /// <summary>Counts one request of <paramref name="partition"/> and says whether it is within the limit.</summary>
    ValueTask<RateLimitDecision> AcquireAsync(string partition, int permitLimit, TimeSpan window, CancellationToken cancellationToken);
}

/// <param name="Allowed">The request is within the limit.</param>
/// <param name="Remaining">Requests still allowed in this window.</param>
/// <param name="ResetAfter">Time until the window ends and the count starts again: a refused caller's Retry-After.</param>
public readonly record struct RateLimitDecision(bool Allowed, int Remaining, TimeSpan ResetAfter);
