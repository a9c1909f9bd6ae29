namespace OpenSesame.Predictor.Routing;

/// <summary>
/// The generator's deadline, made visible to the resilience handlers below the SDKs. The SDKs build their own HTTP
/// requests and pass only a cancellation token down, and a token cannot say when it will fire; without this a retry
/// could wait for a <c>retry-after</c> the deadline will cut short, and spend the time the fallback provider needed.
/// It flows with the async call (an <see cref="AsyncLocal{T}"/>), so concurrent predictions each see their own.
/// </summary>
internal sealed class LlmCallBudget : IDisposable
{
    private static readonly AsyncLocal<LlmCallBudget?> Ambient = new();

    private readonly LlmCallBudget? _outer;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TimeSpan _deadline;
    private readonly CancellationToken _deadlineToken;
    private readonly CancellationToken _callerToken;

    private LlmCallBudget(TimeProvider time, TimeSpan deadline, CancellationToken deadlineToken, CancellationToken callerToken)
    {
        _outer = Ambient.Value;
        _time = time;
        _started = time.GetTimestamp();
        _deadline = deadline;
        _deadlineToken = deadlineToken;
        _callerToken = callerToken;
    }

    /// <summary>The budget of the provider calls made in this async flow, if a generator set one.</summary>
    public static LlmCallBudget? Current => Ambient.Value;

    /// <summary>Time left before the deadline (never negative).</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = _deadline - _time.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>True when a cancellation came from neither the deadline nor the caller: the provider used up its own
    /// attempt, which is the provider's failure. One cut short by the deadline (after another provider spent the time)
    /// or abandoned by the caller did not fail.</summary>
    public bool AttemptTimedOut => !_deadlineToken.IsCancellationRequested && !_callerToken.IsCancellationRequested;

    /// <summary>The deadline has passed: a call cut short now ran out of the question's time, not its own.</summary>
    public bool DeadlinePassed => _deadlineToken.IsCancellationRequested;

    /// <summary>The prediction itself was abandoned (the client went away).</summary>
    public bool CallerCancelled => _callerToken.IsCancellationRequested;

    /// <param name="deadlineToken">Fires at <paramref name="deadline"/>.</param>
    /// <param name="callerToken">The prediction's own token (the client went away).</param>
    public static LlmCallBudget Begin(TimeProvider time, TimeSpan deadline, CancellationToken deadlineToken, CancellationToken callerToken)
    {
        var budget = new LlmCallBudget(time, deadline, deadlineToken, callerToken);
        Ambient.Value = budget;
        return budget;
    }

    public void Dispose()
    {
        if (Ambient.Value == this)
        {
            Ambient.Value = _outer;
        }
    }
}
