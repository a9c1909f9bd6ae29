using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Storage;
using OpenSesame.Storage.Sqlite;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests.Retraining;

/// <summary>
/// A real outcome log (the service's SQLite store in a temporary data directory) filled with ranking groups as the
/// service logs them: one prediction a minute, its candidates with their vectors, and the call made next as its
/// implicit outcome. The groups come from the tiny ranker's held-out domains, which it never trained on; the model store
/// of the same data directory is there too.
/// </summary>
internal sealed class OutcomeLog : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 5, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A call no logged candidate is: the user chose something the log cannot rank.</summary>
    public const string UnloggedCall = "GET /never/logged";

    public OutcomeLog()
    {
        Folder = Directory.CreateTempSubdirectory("opensesame-retrain-").FullName;
        Store = new SqliteOutcomeStore(new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = Folder })));
        Models = RankerModelStore.Configured(new RankingOptions(), new StorageOptions { DataDirectory = Folder });
    }

    public string Folder { get; }

    public SqliteOutcomeStore Store { get; }

    public RankerModelStore Models { get; }

    /// <summary>The tiny ranker's held-out domains cut into ranking groups as a client sends its requests.</summary>
    public static IReadOnlyList<TrainingGroup> HeldOutGroups(TinyRanker tiny)
    {
        var sessions = SyntheticSessionFile.Read(Path.Combine(tiny.Folder, tiny.Manifest.HeldOutFile));
        return [.. new TrainingSetBuilder(TinyRanker.Options().AsClientSendsThem()).Build(sessions)];
    }

    /// <summary>Logs each group as a prediction a minute after the one before, with its true call (or
    /// <see cref="UnloggedCall"/> when the pool lacked it) as the outcome; returns the predictions' ids in order.</summary>
    /// <param name="featureList">The fingerprint logged with them: today's when null, none (as logged before
    /// fingerprints were) when empty.</param>
    /// <param name="first">The minute after <see cref="Start"/> of the first one.</param>
    /// <param name="caller">Who asked, as the service logs it.</param>
    public async Task<IReadOnlyList<string>> LogAsync(IEnumerable<TrainingGroup> groups, string? featureList = null, int first = 0,
        string? caller = "local")
    {
        var ids = new List<string>();
        var minute = first;
        foreach (var group in groups)
        {
            var at = Start.AddMinutes(minute++);
            var id = $"p-{minute:D5}";
            var candidates = group.Keys.Select((key, i) => new ServedCandidate(key, 0, group.Features[i])).ToList();
            await Store.SaveServedAsync(new ServedPrediction(id, at, "u-1", "s-" + group.Session, "spec", "ltr-logged", group.Step,
                "history", Math.Min(5, candidates.Count), candidates, featureList switch { null => FeatureFingerprint.Current, "" => null, _ => featureList }, caller),
                new OutcomeBounds(DateTimeOffset.MinValue, int.MaxValue), CancellationToken.None);
            var chosen = group.Positive >= 0 ? group.Keys[group.Positive] : UnloggedCall;
            await Store.RecordOutcomeAsync(new RecordedOutcome(id, OutcomeKind.Overridden, OutcomeSource.Implicit, chosen, null,
                at.AddSeconds(30)), CancellationToken.None);
            ids.Add(id);
        }

        return ids;
    }

    /// <summary>A model that ranks exactly backwards: every tree's vote and the bias negated.</summary>
    public static RankerModel Inverted(RankerModel model) => model with
    {
        Info = model.Info with { Version = model.Version + "-inverted" },
        Ensemble = new TreeEnsemble(-model.Ensemble.Bias, [.. model.Ensemble.TreeWeights.Select(w => -w)], model.Ensemble.Trees),
    };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
