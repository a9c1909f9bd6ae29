using System.Text.Json;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training;

/// <summary>
/// Replays synthetic sessions through the real candidate generator: every step becomes a group of the candidates the
/// service would have ranked, labelled by the call the user made next. Histories are spelled the ways clients spell
/// them (concrete ids, or templates; with or without timestamps) so the model does not learn one spelling only.
/// </summary>
internal sealed class TrainingSetBuilder(TrainingOptions options, SentenceEmbedder? embedder = null)
{
    private static readonly IReadOnlyCollection<string> OnlyLocal = [GeneratorNames.Local];
    private static readonly IReadOnlyCollection<string> LocalAndLlm = [GeneratorNames.Local, GeneratorNames.Llm];

    private int _groups;
    private int _absent;
    private int _removed;

    // What each domain's sessions so far taught about its usage, as the service learns it from the requests it sees.
    // Keyed by domain and replay (the crowd) and by domain, replay and user (that user's own layer).
    private readonly Dictionary<(string Domain, int Replay, string? User), UsageCounts> _usage = [];

    /// <summary>Groups built so far, how many lack their true call, and how many of those on purpose.</summary>
    public (int Groups, int Absent, int RemovedOnPurpose) Counts => (_groups, _absent, _removed);

    public IEnumerable<TrainingGroup> Build(IEnumerable<SyntheticSession> sessions)
    {
        var index = 0;
        foreach (var session in sessions)
        {
            foreach (var group in Build(session, index++))
            {
                yield return group;
            }
        }
    }

    public IEnumerable<TrainingGroup> Build(SyntheticSession session, int sessionIndex)
    {
        var domain = TrainingCatalogs.For(options.SharedFolder).Get(session.Domain);
        var random = new Random(TrainingOptions.DeriveSeed(options.Seed, sessionIndex));
        var templated = random.NextDouble() < options.TemplatedHistoryShare;
        var timeless = random.NextDouble() < options.NoTimestampShare;
        var poolSize = options.Budget.PoolSize(options.K, domain.Catalog.Operations.Count);
        var user = session.Client
            ?? $"user-{(int)(TrainingOptions.Uniform(options.Seed, sessionIndex, RandomChoice.User) * Math.Max(1, options.UsersPerDomain))}";
        var usage = new LearnedUsage(Layer(session.Domain, session.Replay, null), user: Layer(session.Domain, session.Replay, user));

        // Its own stream, so that the choice leaves every other random draw of the session as it was.
        var seesUsage = TrainingOptions.Uniform(options.Seed, sessionIndex, RandomChoice.SeesUsage) < options.UsageShare;
        var history = new List<HistoryEvent>();
        for (var step = 0; step < session.Calls.Count; step++)
        {
            var call = session.Calls[step];
            var now = timeless ? DateTimeOffset.UnixEpoch : call.Timestamp;
            if (step == 0 && session.BeginsMidWorkflow)
            {
                history.Add(Event(call, timeless, templated));
                continue;
            }

            var context = PredictionContext.Create(domain.Catalog, history, session.Prompts[step], now, embedder, options.DataFlow,
                usage: seesUsage ? usage : null);
            var features = new RequestFeatures(context);
            var pool = Shortlist.Build(features).Take(poolSize + 1).ToList();
            var positive = pool.FindIndex(operation => operation.Key == call.Key);
            var removed = false;
            if (positive >= 0 && ShouldRemove(random))
            {
                pool.RemoveAt(positive);
                (positive, removed) = (-1, true);
            }

            if (pool.Count > poolSize)
            {
                pool.RemoveAt(pool.Count - 1);
            }

            positive = positive >= pool.Count ? -1 : positive;
            var (keys, vectors) = random.NextDouble() < options.SimulatedLlmShare
                ? WithSimulatedLlm(random, features, pool, domain.Catalog.Operations.First(o => o.Key == call.Key), removed, ref positive)
                : (pool.Select(operation => operation.Key).ToList(), pool.Select((operation, rank) => Vector(features, operation, rank, -1, OnlyLocal)).ToArray());
            _groups++;
            _absent += positive < 0 ? 1 : 0;
            _removed += removed ? 1 : 0;
            yield return new TrainingGroup(session.Domain, sessionIndex, step, keys, vectors, positive, removed);

            usage.Record(context.History, domain.Catalog.Operations.First(o => o.Key == call.Key).Index, now, context.UsageWords);

            history.Add(Event(call, timeless, templated));
        }
    }

    // Learned without fading: sessions' clocks are made up and unordered across sessions.
    private UsageCounts Layer(string domain, int replay, string? user)
    {
        if (!_usage.TryGetValue((domain, replay, user), out var layer))
        {
            _usage[(domain, replay, user)] = layer = new UsageCounts();
        }

        return layer;
    }

    private static HistoryEvent Event(SyntheticCall call, bool timeless, bool templated) =>
        new(timeless ? null : call.Timestamp, call.Method, templated ? call.PathTemplate : call.Path,
            templated ? HistoryEvent.NoParams : call.Params.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)));

    // Take the true call out just often enough that the absent share (natural misses included) tracks the target.
    private bool ShouldRemove(Random random)
    {
        var needed = (options.AbsentShare * (_groups + 1)) - _absent;
        return needed >= 1 || (needed > 0 && random.NextDouble() < needed);
    }

    // The pool as the service merges it when a language model answered too: the local pool in its order, then what
    // only the model proposed; every candidate carries its rank in both.
    private (List<string> Keys, float[][] Features) WithSimulatedLlm(Random random, RequestFeatures features,
        List<ApiOperation> pool, ApiOperation truth, bool removed, ref int positive)
    {
        var catalog = features.Context.Catalog;
        var answer = SimulatedLlm.Answer(random, pool, truth, !removed, catalog, options.SimulatedLlmAnswerSize, options.SimulatedLlmHitRate);
        var operations = pool.Concat(answer.Where(a => !pool.Contains(a))).ToList();
        var vectors = operations.Select((operation, i) => Vector(features, operation, i < pool.Count ? i : -1, answer.IndexOf(operation),
            answer.Count > 0 ? LocalAndLlm : OnlyLocal)).ToArray();
        positive = operations.IndexOf(truth);
        return (operations.Select(o => o.Key).ToList(), vectors);
    }

    // Ranks as the service produces them: local ranks stay 0..n-1 after a removal; -1 means "not proposed".
    private static float[] Vector(RequestFeatures features, ApiOperation operation, int localRank, int llmRank,
        IReadOnlyCollection<string> answered)
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        if (localRank >= 0)
        {
            ranks[GeneratorNames.Local] = localRank;
        }

        if (llmRank >= 0)
        {
            ranks[GeneratorNames.Llm] = llmRank;
        }

        return features.Vector(operation, ranks, answered);
    }
}
