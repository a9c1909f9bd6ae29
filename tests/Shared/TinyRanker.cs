using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Training;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Testing;

/// <summary>
/// One tiny learned ranker for the whole test assembly (each assembly that uses it declares it an assembly fixture), made the way the service makes one: 500 generated sessions
/// (two domains held out), then the real LightGBM training with 40 small trees. Takes about a second.
/// </summary>
public sealed class TinyRanker : IDisposable
{
    public const int SessionCount = 500;
    public const int Seed = 42;

    /// <summary>The clock the model is trained under, so its version and creation time are known.</summary>
    public static readonly DateTimeOffset TrainedAt = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly Lazy<RankerModel> _model;

    // xunit creates assembly fixtures for every run, filtered or not; the model is trained when a test first asks.
    public TinyRanker()
    {
        Folder = Directory.CreateTempSubdirectory("opensesame-training-").FullName;
        // Bare walks, as the tests written against this fixture assume: with client behaviours on, 500 sessions teach
        // 20 trees mostly repeats, and their reasons narrow to five kinds (LearnedRankerTests wants six).
        Manifest = TrainingData.Generate(Folder, SessionCount, Seed, heldOutDomainCount: 2,
            sessions: new SyntheticSamplerOptions { Behaviours = ClientBehaviourOptions.None });
        TrainFile = Path.Combine(Folder, Manifest.TrainFile);
        TrainSessions = [.. SyntheticSessionFile.Read(TrainFile)];
        _model = new(Train);
    }

    public string Folder { get; }

    public TrainingDataManifest Manifest { get; }

    public string TrainFile { get; }

    public IReadOnlyList<SyntheticSession> TrainSessions { get; }

    public RankerModel Model => _model.Value;

    /// <summary>Small enough to train in about a second on a few hundred sessions. Forty trees of 15 leaves, not the
    /// default 600 of 31: larger trees split on fewer features, and tests of the explanations need a model that uses
    /// many (20 trees of 15 leaves left four or five kinds of reasons once the 49th feature, unknown_opaque_ids, and
    /// the larger pools came; LearnedRankerTests wants six).</summary>
    public static TrainingOptions Options() =>
        new() { Seed = Seed, Iterations = 40, Leaves = 15, MinExamplesPerLeaf = 5 };

    /// <summary>Trains another model on the same data with the same options and clock.</summary>
    public RankerModel Train() => new RankerTrainer(Options(), new FakeTimeProvider(TrainedAt)).Train(TrainFile);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
