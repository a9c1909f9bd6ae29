using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>Knobs of <see cref="SpecWalkSampler"/>; every default is the value training uses.</summary>
public sealed class SpecWalkOptions
{
    /// <summary>Session length, prompt-kind shares, prompt noise, pauses and client behaviours, shared with the walks
    /// of the embedded domains so both teach the same kinds of session. Default: <see cref="SyntheticSamplerOptions"/>'s.</summary>
    public SyntheticSamplerOptions Sessions { get; init; } = new();

    /// <summary>Chance per step of leaving the current resource for a fresh start (0.08): users switch topics.</summary>
    public double DetourProbability { get; init; } = 0.08;

    /// <summary>Chance that a session stops right after a delete (0.6): a delete usually ends a lifecycle.</summary>
    public double EndAfterDeleteProbability { get; init; } = 0.6;

    /// <summary>Chance that an optional query or body parameter is sent (0.15), at most
    /// <see cref="MaxOptionalParameters"/> per call: real calls send few of the many options large specs list.</summary>
    public double OptionalParameterProbability { get; init; } = 0.15;

    /// <summary>Most optional parameters one call sends (2).</summary>
    public int MaxOptionalParameters { get; init; } = 2;

    /// <summary>Chance that an explicit prompt names the id the call works on (0.5).</summary>
    public double IdInPromptProbability { get; init; } = 0.5;
}

/// <summary>
/// Samples sessions over any spec by walking its resources as users do: list or search then open an item, create then
/// read and change it, go down to child resources, delete at the end of a lifecycle now and then; ids flow from the
/// calls that produced them, prompts are written from the operations' own summaries. No workflow file is needed, so a
/// real spec of hundreds of operations can train the ranker. Deterministic for a seed.
/// </summary>
public sealed class SpecWalkSampler(SpecWalkOptions? options = null)
{
    public SpecWalkOptions Options { get; } = options ?? new SpecWalkOptions();

    /// <param name="domain">What the sessions name as their domain: the spec's path relative to the shared folder
    /// (<c>evaldata/specs/...</c>), so <see cref="TrainingCatalogs"/> finds the spec again.</param>
    /// <exception cref="ArgumentException">The spec has no operation a walk can start from.</exception>
    public IReadOnlyList<SyntheticSession> Sample(EndpointCatalog catalog, string domain, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var graph = SpecWalkGraph.Of(catalog);
        if (graph.Starts.Count == 0)
        {
            throw new ArgumentException($"{domain}: the spec has no operation a walk can start from.", nameof(catalog));
        }

        var behaviours = new ClientBehaviours(Options.Sessions.Behaviours);
        var random = new Random(seed);
        var epoch = SyntheticSessionSampler.EpochOf(seed);
        var sessions = new List<SyntheticSession>(count);
        for (var i = 0; i < count; i++)
        {
            var sessionRandom = new Random(random.Next());
            var start = SyntheticSessionSampler.StartAfter(epoch, sessionRandom);
            var kind = Options.Sessions.PickKind(sessionRandom);
            var session = new SpecWalk(graph, domain, Options, sessionRandom, start).Run(kind);
            if (Options.Sessions.Behaviours.IsActive)
            {
                var partner = sessionRandom.NextDouble() < Options.Sessions.Behaviours.InterleaveShare
                    ? new SpecWalk(graph, domain, Options, new Random(sessionRandom.Next()), start).Run(kind)
                    : null;
                session = behaviours.Apply(session, catalog, sessionRandom.Next(), partner);
            }

            sessions.Add(session);
        }

        return sessions;
    }
}
