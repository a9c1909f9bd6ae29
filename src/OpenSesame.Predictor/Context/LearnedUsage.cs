namespace OpenSesame.Predictor.Context;

/// <summary>
/// The usage a request is predicted with: the spec's layer (all its users) and, when the request says who asks, the
/// layers of the caller's tenant and of the user, each more specific one backing off to the wider one, so a user's own
/// habit counts where it exists and the crowd's fills in the rest.
/// </summary>
public sealed class LearnedUsage(UsageCounts spec, UsageCounts? tenant = null, UsageCounts? user = null)
{
    public UsageCounts Spec { get; } = spec;

    public UsageCounts? Tenant { get; } = tenant;

    public UsageCounts? User { get; } = user;

    /// <summary>What the layers expect after <paramref name="history"/>.</summary>
    public UsageView Estimate(IReadOnlyList<ResolvedEvent> history, int operationCount, DateTimeOffset now)
    {
        var before = UsageContext.Before(history);
        var crowd = Spec.Probabilities(before, operationCount, now);
        UsageEstimate? personal = null;
        foreach (var layer in (ReadOnlySpan<UsageCounts?>)[Tenant, User])
        {
            if (layer is not null && !layer.IsEmpty
                && layer.Probabilities(before, operationCount, now, (personal ?? crowd).Probabilities) is { Any: true } estimate)
            {
                personal = estimate;
            }
        }

        return new UsageView(crowd, personal);
    }

    /// <summary>Counts in every layer that <paramref name="next"/> followed <paramref name="history"/>.</summary>
    public void Record(IReadOnlyList<ResolvedEvent> history, int next, DateTimeOffset at)
    {
        var before = UsageContext.Before(history);
        Spec.Record(before, next, at);
        Tenant?.Record(before, next, at);
        User?.Record(before, next, at);
    }
}

/// <summary>What the spec's users as a whole (<paramref name="Crowd"/>) and the requester's own layers
/// (<paramref name="Personal"/>, null when they hold nothing for this context) expect next.</summary>
public sealed record UsageView(UsageEstimate Crowd, UsageEstimate? Personal);
