namespace OpenSesame.Api.Security;

/// <summary>
/// Where the rate limiter keeps its counts: in memory in one process today, shared by every instance (Redis) later.
/// A fixed window per caller that starts with the caller's first request, which a shared store does in one atomic
/// step (Redis: <c>INCR</c>, <c>PEXPIRE</c> when the count is 1, <c>PTTL</c>).
/// </summary>
public interface IRateLimitStore
{
    /// <summary>Counts one request of <paramref name="partition"/> and says whether it is within the limit.</summary>
    ValueTask<RateLimitDecision> AcquireAsync(string partition, int permitLimit, TimeSpan window, CancellationToken cancellationToken);
}

/// <param name="Allowed">The request is within the limit.</param>
/// <param name="Remaining">Requests still allowed in this window.</param>
/// <param name="ResetAfter">Time until the window ends and the count starts again: a refused caller's Retry-After.</param>
public readonly record struct RateLimitDecision(bool Allowed, int Remaining, TimeSpan ResetAfter);
