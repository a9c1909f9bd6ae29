using BenchmarkDotNet.Attributes;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;
using OpenSesame.Training;

namespace OpenSesame.Benchmarks;

/// <summary>
/// The learned ranker on 60 real candidates of the Stripe spec (varied contexts, cycled): scoring alone, and ranking
/// with calibration and the explanation of the top 5. The model is trained in setup on 1,000 synthetic sessions with
/// the default tree count and size, which is what decides scoring cost.
/// </summary>
[MemoryDiagnoser]
public class RankerScoringBenchmarks
{
    private const int Candidates = 60;
    private readonly List<RankingRequest> _pools = [];
    private LearnedRanker? _ranker;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var folder = Path.Combine(Path.GetTempPath(), "opensesame-bench-model", Guid.NewGuid().ToString("n"));
        var manifest = TrainingData.Generate(folder, 1000, seed: 7, heldOutDomainCount: 2);
        _ranker = new LearnedRanker(new RankerTrainer(new TrainingOptions(), TimeProvider.System).Train(Path.Combine(folder, manifest.TrainFile)));
        Directory.Delete(folder, recursive: true);

        var catalog = OpenApiCatalogParser.Parse(File.ReadAllText(SharedSpecs.PathOf("stripe")));
        var random = new Random(7);
        for (var i = 0; i < 32; i++)
        {
            var last = catalog.Operations[random.Next(catalog.Operations.Count)];
            var events = new[] { new HistoryEvent(null, last.Method, last.PathTemplate.Replace("{", "x", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal), HistoryEvent.NoParams) };
            var context = PredictionContext.Create(catalog, events, random.Next(2) == 0 ? catalog.Operations[random.Next(catalog.Operations.Count)].Summary : null, DateTimeOffset.UnixEpoch);
            var features = new RequestFeatures(context);
            var pool = CandidatePool.Merge([(GeneratorNames.Local, [.. Shortlist.Build(features).Take(Candidates).Select(o => new ProposedCall(o))])]);
            // Scoring cost is what is measured: every candidate of the pool is kept, none is filtered by the critic.
            var reviewed = pool.Candidates.Select(c => new ReviewedCandidate(c, new Dictionary<string, object?>(), Destructive: false)).ToList();
            _pools.Add(RankingRequest.Describe(context, features, reviewed, pool.Answered));
        }
    }

    [Benchmark]
    public double ScoreOnly()
    {
        var pool = _pools[_next++ % _pools.Count];
        double sum = 0;
        foreach (var vector in pool.Vectors)
        {
            sum += _ranker!.Model.Ensemble.Score(vector);
        }

        return sum;
    }

    [Benchmark]
    public int RankCalibrateAndExplainTop5()
    {
        return _ranker!.Rank(_pools[_next++ % _pools.Count], 5).Count;
    }
}
