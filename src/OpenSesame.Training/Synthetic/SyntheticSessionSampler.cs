namespace OpenSesame.Training.Synthetic;

/// <summary>
/// Samples sessions of users working through synthetic domains. Deterministic for a seed: every random choice comes
/// from <c>new Random(seed)</c> and per-session generators seeded from it; nothing reads a clock.
/// </summary>
public sealed class SyntheticSessionSampler(SyntheticSamplerOptions? options = null)
{
    // A Monday; the seed shifts it by up to a year so runs with different seeds do not share dates.
    private static readonly DateTimeOffset BaseEpoch = new(2025, 1, 6, 0, 0, 0, TimeSpan.Zero);

    private const int StartWindowSeconds = 30 * 24 * 3600;

    /// <summary>The first day of a run's sessions; every sampler of a seed starts from it.</summary>
    internal static DateTimeOffset EpochOf(int seed) => BaseEpoch.AddDays(((seed % 365) + 365) % 365);

    /// <summary>A session's start within the month after <paramref name="epoch"/>.</summary>
    internal static DateTimeOffset StartAfter(DateTimeOffset epoch, Random random) => epoch.AddSeconds(random.Next(StartWindowSeconds));

    public SyntheticSamplerOptions Options { get; } = Validated(options ?? new SyntheticSamplerOptions());

    private ClientBehaviours Behaviours => field ??= new ClientBehaviours(Options.Behaviours);

    /// <summary>
    /// <paramref name="count"/> sessions spread evenly over <paramref name="domains"/> (session i uses domain
    /// i mod n): small domains teach generalisation as much as big ones, so size does not buy a domain more sessions.
    /// </summary>
    public IReadOnlyList<SyntheticSession> Sample(int count, IReadOnlyList<SyntheticDomain> domains, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (domains.Count == 0)
        {
            throw new ArgumentException("At least one domain is needed.", nameof(domains));
        }

        var random = new Random(seed);
        var epoch = EpochOf(seed);
        var sessions = new List<SyntheticSession>(count);
        for (var i = 0; i < count; i++)
        {
            // Each session draws from its own generator so its content does not depend on how much its predecessors drew.
            var sessionRandom = new Random(random.Next());
            var start = StartAfter(epoch, sessionRandom);
            var domain = domains[i % domains.Count];
            var session = new SessionWalk(domain, Options, sessionRandom, start).Run(Options.PickKind(sessionRandom));
            sessions.Add(Options.Behaviours.IsActive ? WithBehaviours(domain, session, sessionRandom, start) : session);
        }

        return sessions;
    }

    // Drawn after the walk, so a walk is the same with behaviours on or off; the partner is a walk of its own.
    private SyntheticSession WithBehaviours(SyntheticDomain domain, SyntheticSession session, Random random, DateTimeOffset start)
    {
        var partner = random.NextDouble() < Options.Behaviours.InterleaveShare
            ? new SessionWalk(domain, Options, new Random(random.Next()), start).Run(session.PromptKind)
            : null;
        return Behaviours.Apply(session, domain.Catalog, random.Next(), partner);
    }

    private static SyntheticSamplerOptions Validated(SyntheticSamplerOptions options)
    {
        if (options.MinCalls < 1 || options.MaxCalls < options.MinCalls)
        {
            throw new ArgumentException("Calls per session need 1 <= MinCalls <= MaxCalls.", nameof(options));
        }

        if (Enum.GetValues<SyntheticPromptKind>().Any(k => options.ShareOf(k) < 0)
            || Enum.GetValues<SyntheticPromptKind>().Sum(options.ShareOf) <= 0)
        {
            throw new ArgumentException("Prompt-kind shares must be non-negative and not all zero.", nameof(options));
        }

        if (options.ListRevealMin < 1 || options.ListRevealMax < options.ListRevealMin)
        {
            throw new ArgumentException("Ids per list need 1 <= ListRevealMin <= ListRevealMax.", nameof(options));
        }

        options.Behaviours.Validated();
        return options;
    }
}
