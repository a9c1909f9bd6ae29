namespace OpenSesame.Cli.Simulation;

/// <summary>
/// The replay simulator's clock: the date and time are the simulation's, moved forward by the simulator only, so a
/// month of sessions passes in minutes and budgets, cache expiry and the ledger see simulated time. Timestamps and
/// timers stay real (the base class's): stage times are measured in real milliseconds, and the service's deadlines
/// still end a call that really hangs.
/// </summary>
internal sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    /// <summary>Moves the clock to <paramref name="at"/>; never back.</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        if (at.UtcTicks > Interlocked.Read(ref _utcTicks))
        {
            Interlocked.Exchange(ref _utcTicks, at.UtcTicks);
        }
    }
}
