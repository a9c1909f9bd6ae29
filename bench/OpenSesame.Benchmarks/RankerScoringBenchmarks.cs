using BenchmarkDotNet.Attributes;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Benchmarks;

/// <summary>
/// The learned ranker on 60 real candidates of the Stripe spec (varied contexts, cycled): scoring alone, one vector at
/// a time and the pool at once as the ranker does, and ranking with calibration and the explanation of the top 5. The
/// model is the one shipped in <c>models/</c>, whose tree count and size decide scoring cost.
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
        var shipped = new RankerModelStore(Path.Combine(SharedSpecs.RepoRoot, "models"));
        var version = shipped.CurrentVersion() ?? throw new InvalidOperationException("models/ names no current model.");
        _ranker = new LearnedRanker(shipped.Load(version));
        Console.WriteLine($"// ranking with {version}: {_ranker.Model.Ensemble.Trees.Length} trees");

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
    public double ScorePool() => _ranker!.Model.Ensemble.ScoreAll(_pools[_next++ % _pools.Count].Vectors)[0];

    [Benchmark]
    public int RankCalibrateAndExplainTop5()
    {
        return _ranker!.Rank(_pools[_next++ % _pools.Count], 5).Count;
    }
}
