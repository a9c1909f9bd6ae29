using System.Globalization;
using System.Text;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Training;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class TrainingSetBuilderTests
{
    private static readonly Lazy<IReadOnlyList<SyntheticSession>> Sessions =
        new(() => new SyntheticSessionSampler().Sample(300, SyntheticDomains.All, seed: 42));

    private static readonly Lazy<IReadOnlyList<TrainingGroup>> Standard = new(() => Build(new TrainingOptions()));

    public static TheoryData<string> FeatureNames => [.. FeatureSchema.Names];

    // The embedder the trainer uses, so the semantic features are computed as in a real training run.
    private static readonly Lazy<SentenceEmbedder> Embedder = new(() => new SentenceEmbedder());

    private static List<TrainingGroup> Build(TrainingOptions options, int sessions = int.MaxValue) =>
        [.. new TrainingSetBuilder(options, options.Semantic ? Embedder.Value : null).Build(Sessions.Value.Take(sessions))];

    // The issue demands it: a feature that never changes in the training data is one the trees can never use.
    [Theory]
    [MemberData(nameof(FeatureNames))]
    public void EveryFeatureVariesInTheTrainingData(string feature)
    {
        var index = FeatureSchema.Names.ToList().IndexOf(feature);
        var values = Standard.Value.SelectMany(g => g.Features).Select(f => f[index]).Distinct().Order().ToList();

        Assert.True(values.Count > 1,
            $"Feature '{feature}' is {values[0].ToString(CultureInfo.InvariantCulture)} in every candidate of {Standard.Value.Count} groups.");
    }

    [Fact]
    public void AboutTheUsageShareOfSessionsSeeWhatTheirDomainsEarlierStepsDidAndTheFirstStepSeesNothing()
    {
        var groups = Standard.Value;
        var sessions = groups.GroupBy(g => g.Session).ToList();
        var seeing = sessions.Count(s => s.Any(g => g.Features[0][FeatureSchema.UsageEvidence] > 0)) / (double)sessions.Count;
        string[] usageFeatures = ["usage_probability", "usage_evidence", "usage_order", "usage_personal"];
        var usageIndexes = usageFeatures.Select(name => FeatureSchema.Names.ToList().IndexOf(name)).ToList();

        Assert.InRange(seeing, new TrainingOptions().UsageShare - 0.08, new TrainingOptions().UsageShare + 0.08);
        Assert.All(groups.Where(g => g.Session == 0).Take(1), g => Assert.All(g.Features, f => Assert.Equal(0f, f[FeatureSchema.UsageEvidence])));
        Assert.Contains(groups, g => g.Features.Any(f => f[FeatureSchema.UsagePersonal] > 0));
        Assert.All(Build(new TrainingOptions { UsageShare = 0 }, sessions: 60), g =>
            Assert.All(g.Features, f => Assert.All(usageIndexes, i => Assert.Equal(0f, f[i]))));
    }

    [Theory]
    [InlineData(0.30)]
    [InlineData(0.15)]
    public void TheShareOfGroupsWithoutTheTrueCallTracksTheTarget(double target)
    {
        // Pools of k + 15 whatever the spec's size, so some true calls miss the pool by themselves and the count
        // must take those into account (the default pools hold every operation of most embedded domains).
        var builder = new TrainingSetBuilder(new TrainingOptions { AbsentShare = target, CandidateBufferPerRootOperation = 0 });
        var groups = builder.Build(Sessions.Value).ToList();

        var absent = groups.Count(g => g.Positive < 0) / (double)groups.Count;
        Assert.InRange(absent, target - 0.02, target + 0.02);
        Assert.Equal((groups.Count, groups.Count(g => g.Positive < 0), groups.Count(g => g.RemovedOnPurpose)), builder.Counts);
        Assert.Contains(groups, g => g.Positive < 0 && !g.RemovedOnPurpose);
    }

    [Fact]
    public void GroupsHoldAtMostKPlusBufferDistinctOperationsWithLocalRanksFromZero()
    {
        var groups = Build(new TrainingOptions { K = 3, CandidateBuffer = 5, CandidateBufferPerRootOperation = 0, SimulatedLlmShare = 0 });

        Assert.All(groups, g =>
        {
            Assert.InRange(g.Keys.Count, 1, 8);
            Assert.Equal(g.Keys.Count, g.Features.Length);
            Assert.Equal(g.Keys.Count, g.Keys.Distinct().Count());
            Assert.Equal([.. Enumerable.Range(0, g.Keys.Count).Select(rank => 1f / (1 + rank))],
                g.Features.Select(f => f[FeatureSchema.LocalRank]));
        });
        Assert.Contains(groups, g => g.Keys.Count == 8);
    }

    [Fact]
    public void ASimulatedLanguageModelAddsItsOwnProposalsAfterTheLocalPoolAndHoldsTheTrueCallAtItsHitRate()
    {
        var groups = Build(new TrainingOptions { K = 3, CandidateBuffer = 5, CandidateBufferPerRootOperation = 0, SimulatedLlmShare = 1, SimulatedLlmHitRate = 0.6, SimulatedLlmAnswerSize = 6 });

        Assert.All(groups, g =>
        {
            Assert.InRange(g.Keys.Count, 1, 8 + 6);
            Assert.Equal(g.Keys.Count, g.Keys.Distinct().Count());
            Assert.All(g.Features, f => Assert.Equal(1, f[FeatureSchema.LlmAnswered]));
            var local = g.Features.Count(f => f[FeatureSchema.LocalRank] > 0);
            // The local pool first, in its order; then what only the model proposed.
            Assert.Equal([.. Enumerable.Range(0, local).Select(rank => 1f / (1 + rank))], g.Features.Take(local).Select(f => f[FeatureSchema.LocalRank]));
            Assert.All(g.Features.Skip(local), f => Assert.True(f[FeatureSchema.LlmRank] > 0));
            Assert.Equal(6, g.Features.Count(f => f[FeatureSchema.LlmRank] > 0));
        });
        var labelled = groups.Where(g => !g.RemovedOnPurpose).ToList();
        var proposedByModel = labelled.Count(g => g.Positive >= 0 && g.Features[g.Positive][FeatureSchema.LlmRank] > 0) / (double)labelled.Count;
        Assert.InRange(proposedByModel, 0.5, 0.7);
        Assert.All(groups.Where(g => g.RemovedOnPurpose), g => Assert.Equal(-1, g.Positive));
    }

    [Fact]
    public void EachGroupIsLabelledWithTheCallTheUserMadeNext()
    {
        var sessions = Sessions.Value;

        Assert.Equal(sessions.Sum(s => s.Calls.Count), Standard.Value.Count + sessions.Count(s => s.BeginsMidWorkflow));
        Assert.All(Standard.Value, g =>
        {
            var session = sessions[g.Session];
            var truth = session.Calls[g.Step].Key;
            Assert.Equal(session.Domain, g.Domain);
            Assert.InRange(g.Positive, -1, g.Keys.Count - 1);
            if (g.Positive >= 0)
            {
                Assert.Equal(truth, g.Keys[g.Positive]);
            }
            else
            {
                Assert.DoesNotContain(truth, g.Keys);
            }

            Assert.False(g.RemovedOnPurpose && g.Positive >= 0);
        });
    }

    [Fact]
    public void ASessionThatBeginsMidWorkflowTeachesNothingAtItsFirstCallAndHasItInTheHistoryOfTheNext()
    {
        var sessions = Sessions.Value;
        var midWorkflow = Enumerable.Range(0, sessions.Count).Where(i => sessions[i].BeginsMidWorkflow).ToHashSet();

        Assert.InRange(midWorkflow.Count, sessions.Count / 10, sessions.Count / 2);
        Assert.DoesNotContain(Standard.Value, g => g.Step == 0 && midWorkflow.Contains(g.Session));
        Assert.All(midWorkflow, i => Assert.Contains(Standard.Value, g => g.Session == i && g.Step == 1));
        Assert.Contains(Standard.Value, g => g.Step == 0 && !midWorkflow.Contains(g.Session));
    }

    [Fact]
    public void BuildingTwiceWithTheSameSeedGivesIdenticalGroupsAndAnotherSeedDiffers()
    {
        var first = Fingerprint(Build(new TrainingOptions { Seed = 7 }, sessions: 100));
        var again = Fingerprint(Build(new TrainingOptions { Seed = 7 }, sessions: 100));
        var other = Fingerprint(Build(new TrainingOptions { Seed = 8 }, sessions: 100));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    private static string Fingerprint(IEnumerable<TrainingGroup> groups)
    {
        var text = new StringBuilder();
        foreach (var g in groups)
        {
            text.Append(CultureInfo.InvariantCulture, $"{g.Domain} {g.Session} {g.Step} {g.Positive} {g.RemovedOnPurpose} {string.Join('|', g.Keys)}\n");
            foreach (var features in g.Features)
            {
                text.AppendJoin(',', features.Select(f => f.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
            }
        }

        return text.ToString();
    }
}
