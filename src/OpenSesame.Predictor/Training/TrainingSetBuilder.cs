using System.Text.Json;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Training.Synthetic;

namespace OpenSesame.Predictor.Training;

/// <summary>
/// Replays synthetic sessions through the real candidate generator: every step becomes a group of the candidates the
/// service would have ranked, labelled by the call the user made next. Histories are spelled the ways clients spell
/// them (concrete ids, or templates; with or without timestamps) so the model does not learn one spelling only.
/// </summary>
internal sealed class TrainingSetBuilder(TrainingOptions options, SentenceEmbedder? embedder = null)
{
    private int _groups;
    private int _absent;
    private int _removed;

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
        var domain = SyntheticDomains.Get(session.Domain);
        var random = new Random(TrainingOptions.DeriveSeed(options.Seed, sessionIndex));
        var templated = random.NextDouble() < options.TemplatedHistoryShare;
        var timeless = random.NextDouble() < options.NoTimestampShare;
        var poolSize = options.K + options.CandidateBuffer;
        var history = new List<HistoryEvent>();
        for (var step = 0; step < session.Calls.Count; step++)
        {
            var call = session.Calls[step];
            var now = timeless ? DateTimeOffset.UnixEpoch : call.Timestamp;
            var context = PredictionContext.Create(domain.Catalog, history, session.Prompts[step], now, embedder, options.DataFlow);
            var pool = LocalCandidateGenerator.Generate(FeatureExtractor.For(context), poolSize + 1).ToList();
            var positive = pool.FindIndex(c => c.Operation.Key == call.Key);
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
            _groups++;
            _absent += positive < 0 ? 1 : 0;
            _removed += removed ? 1 : 0;
            yield return new TrainingGroup(session.Domain, sessionIndex, step, [.. pool.Select(c => c.Operation.Key)],
                [.. pool.Select((c, rank) => WithLocalRank(c.Features, rank))], positive, removed);

            history.Add(new HistoryEvent(timeless ? null : call.Timestamp, call.Method, templated ? call.PathTemplate : call.Path,
                templated ? HistoryEvent.NoParams : call.Params.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value))));
        }
    }

    // Take the true call out just often enough that the absent share (natural misses included) tracks the target.
    private bool ShouldRemove(Random random)
    {
        var needed = (options.AbsentShare * (_groups + 1)) - _absent;
        return needed >= 1 || (needed > 0 && random.NextDouble() < needed);
    }

    // After a removal the ranks must stay 0..n-1, as the service produces them.
    private static float[] WithLocalRank(float[] features, int rank)
    {
        var copy = (float[])features.Clone();
        FeatureExtractor.SetGeneratorRanks(copy, new Dictionary<string, int> { [LocalCandidateGenerator.SourceName] = rank });
        return copy;
    }
}
