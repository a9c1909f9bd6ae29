namespace OpenSesame.Api.Security;

/// <summary>
/// Logs refused API keys at most once a minute per client address, with the count refused since its last line: each
/// refused key would otherwise be a log line any caller can write at will (7.8k bad keys made 15.6k lines).
/// </summary>
internal sealed class RejectedKeyLog(TimeProvider time, ILogger<RejectedKeyLog> logger)
{
    /// <summary>Client addresses remembered; past it, those whose minute is over are forgotten, and if none is, all of
    /// them: memory stays bounded whatever the number of addresses, at the price of a few extra lines.</summary>
    private const int MaxCallers = 10_000;

    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, (DateTimeOffset LoggedAt, int Since)> _callers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Rejected(string caller, string reason)
    {
        var now = time.GetUtcNow();
        int since;
        lock (_lock)
        {
            if (_callers.TryGetValue(caller, out var last) && now - last.LoggedAt < Interval)
            {
                _callers[caller] = (last.LoggedAt, last.Since + 1);
                return;
            }

            since = last.Since;
            if (_callers.Count >= MaxCallers)
            {
                Forget(now);
            }

            _callers[caller] = (now, 0);
        }

        logger.LogInformation("An API key from {Caller} was refused: {Reason} ({Since} more refused from it since its last line).",
            caller, reason, since);
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (caller, entry) in _callers.Where(c => now - c.Value.LoggedAt >= Interval).ToList())
        {
            _callers.Remove(caller);
        }

        if (_callers.Count >= MaxCallers)
        {
            _callers.Clear();
        }
    }
}
