using OpenSesame.Predictor.Ranking;
using OpenSesame.Training;

namespace OpenSesame.Api.Tests;

/// <summary>A real model of the real format, trained once for the whole assembly: 300 generated sessions and 20 trees,
/// about a second. Training (with embeddings) is most of the time of the tests that need one, and any real model will do.</summary>
internal static class ApiTinyModel
{
    private static readonly Lazy<RankerModel> Trained = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "opensesame-api-tests", "training-" + Guid.NewGuid().ToString("n"));
        try
        {
            var manifest = TrainingData.Generate(folder, 300, seed: 42, heldOutDomainCount: 2);
            var options = new TrainingOptions { Iterations = 20, MinExamplesPerLeaf = 5 };
            return new RankerTrainer(options, TimeProvider.System).Train(Path.Combine(folder, manifest.TrainFile));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    });

    public static RankerModel Model => Trained.Value;

    /// <summary>The same model under another version name: another model as far as the service can tell.</summary>
    public static RankerModel Named(string version) => Model with { Info = Model.Info with { Version = version } };
}
