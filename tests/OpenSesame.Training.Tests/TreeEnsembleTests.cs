using Microsoft.ML;
using Microsoft.ML.Data;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Training;

namespace OpenSesame.Training.Tests;

public sealed class TreeEnsembleTests(TinyRanker tiny)
{
    [Fact]
    public void TheEnsembleScoresExactlyWhatMlNetScoresForTheSameModel()
    {
        var options = TinyRanker.Options();
        var builder = new TrainingSetBuilder(options);
        var groups = builder.Build(tiny.TrainSessions.Take(120)).ToList();
        var ml = new MLContext(options.Seed);
        var (model, ensemble) = new RankerTrainer(options, TimeProvider.System).FitLightGbm(ml, groups[..(groups.Count * 2 / 3)]);

        // Score groups the trees were not fitted on, too, so leaves reached only by unseen values are compared.
        var rows = groups.SelectMany(g => g.Features).ToList();
        var mlScores = model.Transform(RankerTrainer.ToDataView(ml, groups)).GetColumn<float>("Score").ToList();

        Assert.Equal(rows.Count, mlScores.Count);
        Assert.All(Enumerable.Range(0, rows.Count), i => Assert.Equal(mlScores[i], ensemble.Score(rows[i]), 1e-5));
        Assert.True(mlScores.Distinct().Count() > 50, "The model scores nearly everything alike; the comparison would prove little.");
    }

    [Fact]
    public void TheScoreLostByChangingOneFeatureIsTheDifferenceOfTheWholeScores()
    {
        var options = TinyRanker.Options();
        var groups = new TrainingSetBuilder(options).Build(tiny.TrainSessions.Take(120)).ToList();
        var ensemble = new RankerTrainer(options, TimeProvider.System).FitLightGbm(new MLContext(options.Seed), groups).Ensemble;
        var rows = groups.SelectMany(g => g.Features).Take(200).ToList();
        var means = Enumerable.Range(0, FeatureSchema.Count).Select(f => rows.Average(r => r[f])).ToArray();

        var compared = 0;
        foreach (var row in rows)
        {
            var paths = ensemble.Paths(row);
            Assert.Equal(ensemble.Score(row), ensemble.Bias + paths.Outputs.Sum(), 1e-9);
            for (var f = 0; f < FeatureSchema.Count; f++)
            {
                var probe = (float[])row.Clone();
                probe[f] = (float)means[f];
                Assert.Equal(ensemble.Score(row) - ensemble.Score(probe), ensemble.ScoreLoss(paths, probe, f), 1e-9);
                compared += ensemble.Score(row) != ensemble.Score(probe) ? 1 : 0;
            }
        }

        Assert.True(compared > 100, "Hardly any probe changed a score; the comparison would prove little.");
    }

    [Fact]
    public void ScoringAPoolTreeByTreeGivesEveryVectorExactlyItsOwnScore()
    {
        var options = TinyRanker.Options();
        var groups = new TrainingSetBuilder(options).Build(tiny.TrainSessions.Take(60)).ToList();
        var ensemble = new RankerTrainer(options, TimeProvider.System).FitLightGbm(new MLContext(options.Seed), groups).Ensemble;
        var rows = groups.SelectMany(g => g.Features).Take(300).ToList();

        var scores = ensemble.ScoreAll(rows);

        Assert.Equal(rows.Select(r => ensemble.Score(r)), scores);
        Assert.True(scores.Distinct().Count() > 50, "The model scores nearly everything alike; the comparison would prove little.");
        Assert.Empty(ensemble.ScoreAll([]));
    }

    [Fact]
    public void AStumpOrAnEmptyTreeScoresItsOnlyLeaf()
    {
        var stump = new RegressionTree([2], [0.5f], [~0], [~1], [-1.5, 2.5]);
        var empty = new RegressionTree([], [], [], [], [0.25]);
        var ensemble = new TreeEnsemble(0.5, [1, 2], [stump, empty]);
        var features = new float[FeatureSchema.Count];

        features[2] = 0.5f;
        Assert.Equal(0.5 - 1.5 + 0.5, ensemble.Score(features), 12);
        features[2] = 0.51f;
        Assert.Equal(0.5 + 2.5 + 0.5, ensemble.Score(features), 12);
        Assert.Equal([0.5 + 2.5 + 0.5], ensemble.ScoreAll([features]));
        Assert.True(ensemble.Paths(features).Tests(0, 2));
        Assert.False(ensemble.Paths(features).Tests(0, 1));
        Assert.False(ensemble.Paths(features).Tests(1, 2));
    }
}
