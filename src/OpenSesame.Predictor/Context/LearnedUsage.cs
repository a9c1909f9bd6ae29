using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Context;

/// <summary>
/// The usage a request is predicted with: the spec's layer (all its users) and, when the request says who asks, the
/// layers of the caller's tenant and of the user, each more specific one backing off to the wider one, so a user's own
/// habit counts where it exists and the crowd's fills in the rest. The words of the prompts that came with the calls are
/// learned in the spec's layer only: they say what the crowd means by them.
/// </summary>
public sealed class LearnedUsage(UsageCounts spec, UsageCounts? tenant = null, UsageCounts? user = null)
{
    public UsageCounts Spec { get; } = spec;

    public UsageCounts? Tenant { get; } = tenant;

    public UsageCounts? User { get; } = user;

    // Bounds what one step adds to a layer and to its store, whatever the prompt's length.
    private const int MaxWords = 16;

    /// <summary>
    /// The words of a prompt that usage learns and is estimated by: its terms (stemmed, no stop words) that the spec's
    /// own operations use, distinct, at most 16. Only words of the spec itself, so a prompt's names, ids and other free
    /// text never reach a layer or its store.
    /// </summary>
    public static IReadOnlyList<string> WordsOf(EndpointCatalog catalog, IReadOnlyList<string> promptTerms)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(promptTerms);
        return [.. promptTerms.Where(catalog.Lexical.Knows).Distinct(StringComparer.Ordinal).Take(MaxWords)];
    }

    /// <summary>What the layers expect after <paramref name="history"/>, and the spec's layer by the prompt's
    /// <paramref name="words"/> (<see cref="WordsOf"/>).</summary>
    public UsageView Estimate(IReadOnlyList<ResolvedEvent> history, int operationCount, DateTimeOffset now, IReadOnlyList<string>? words = null)
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

        var byWords = words is { Count: > 0 } ? Spec.WordProbabilities(words, before[^1], operationCount, now) : null;
        return new UsageView(crowd, personal, byWords is { Any: true } ? byWords : null);
    }

    /// <summary>Counts in every layer that <paramref name="next"/> followed <paramref name="history"/>, and in the
    /// spec's layer that it did so with the prompt's <paramref name="words"/>.</summary>
    public void Record(IReadOnlyList<ResolvedEvent> history, int next, DateTimeOffset at, IReadOnlyList<string>? words = null)
    {
        var before = UsageContext.Before(history);
        Spec.Record(before, next, at);
        Spec.RecordWords(words ?? [], before[^1], next, at);
        Tenant?.Record(before, next, at);
        User?.Record(before, next, at);
    }
}

/// <summary>What the spec's users as a whole (<paramref name="Crowd"/>) and the requester's own layers
/// (<paramref name="Personal"/>, null when they hold nothing for this context) expect next, and what the spec's users
/// called next with the prompt's words (<paramref name="Words"/>, null when none of them was seen).</summary>
public sealed record UsageView(UsageEstimate Crowd, UsageEstimate? Personal, UsageEstimate? Words = null);
