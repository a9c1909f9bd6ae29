namespace OpenSesame.Predictor.Usage;

/// <summary>
/// Tells the instances that share a usage store when one of them wrote a spec's steps, so that they read that spec's
/// layers again at once instead of after <see cref="UsageOptions.RefreshInterval"/>. Without one (a single instance,
/// or no shared server) each instance rereads on that interval.
/// </summary>
public interface IUsageChangeFeed
{
    /// <summary>Says that this instance has written steps of the spec to the store. Never throws and never waits for
    /// the server: a lost notice costs only the wait for the next refresh.</summary>
    void Publish(string specHash);

    /// <summary>When another instance last said it wrote the spec's steps (by this instance's clock, on arrival);
    /// null when none has since this instance started listening.</summary>
    DateTimeOffset? LastChange(string specHash);
}
