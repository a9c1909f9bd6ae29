using OpenSesame.Evaluation;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Semantics;

namespace OpenSesame.Evaluation.Tests;

public sealed class EvalRunnerTests
{
    // Records what each system was shown; the comparison of a ranker with and without intent signals rests on it.
    private sealed class Recorder(string name, bool intentSignals) : IEvalSystem
    {
        public string Name => name;

        public bool IntentSignals => intentSignals;

        public List<(bool Embeddings, bool DataFlow)> Seen { get; } = [];

        public Task<IReadOnlyList<string>> RankAsync(PredictionContext context, CancellationToken cancellationToken)
        {
            Seen.Add((context.Embedder is not null, context.DataFlow));
            return Task.FromResult<IReadOnlyList<string>>(["GET /v1/invoices"]);
        }
    }

    [Fact]
    public async Task ASystemWithoutIntentSignalsSeesNeitherEmbeddingsNorTheDataFlowGraph()
    {
        using var embedder = new SentenceEmbedder();
        var spec = EvalSpec.FromFile(TestSpecs.BillingPath);
        var cases = new List<EvalCase>
        {
            new("t#0", spec, "finish billing", [], "GET /v1/invoices"),
            new("t#1", spec, "finish billing", [new EvalCall("GET", "/v1/invoices")], "POST /v1/invoices/{invoice}/finalize"),
        };
        var full = new Recorder("full", intentSignals: true);
        var basic = new Recorder("basic", intentSignals: false);

        var result = await new EvalRunner(new EvalSpecCatalogs(), embedder)
            .RunAsync("billing", cases, new EvalReport(), [full, basic], null, TestContext.Current.CancellationToken);

        Assert.All(full.Seen, seen => Assert.Equal((true, true), seen));
        Assert.All(basic.Seen, seen => Assert.Equal((false, false), seen));
        Assert.Equal(2, basic.Seen.Count);
        Assert.Equal(0.5, result.Systems["basic"].Overall.Top1);
    }

    [Fact]
    public async Task TargetsThatAreDestructiveCallsNobodyAskedForAreCountedAsOutOfThePipelinesReach()
    {
        var spec = EvalSpec.FromFile(TestSpecs.BillingPath);
        List<EvalCall> history = [new("GET", "/v1/invoices/in_1")];
        var cases = new List<EvalCase>
        {
            new("t#0", spec, "tidy up the drafts", history, "DELETE /v1/invoices/{invoice}"),
            new("t#1", spec, null, history, "DELETE /v1/invoices/{invoice}"),
            new("t#2", spec, "delete that draft invoice", history, "DELETE /v1/invoices/{invoice}"),
            new("t#3", spec, "tidy up the drafts", history, "GET /v1/invoices"),
        };
        var report = new EvalReport();

        await new EvalRunner(new EvalSpecCatalogs(), null)
            .RunAsync("billing", cases, report, [new Recorder("any", intentSignals: false)], null, TestContext.Current.CancellationToken);

        Assert.Equal(2, report.UnpromptedDestructiveTargets);
    }

    // Sees what a usage-learning system would: how many steps were observed from where this case stands.
    private sealed class UsageRecorder : IEvalSystem
    {
        public string Name => "usage";

        public bool LearnsUsage => true;

        public List<(int Order, float Evidence)> Observed { get; } = [];

        public Task<IReadOnlyList<string>> RankAsync(PredictionContext context, CancellationToken cancellationToken)
        {
            var crowd = context.Usage!.Estimate(context.History, context.Catalog.Operations.Count, context.Now).Crowd;
            Observed.Add((crowd.Order, crowd.Evidence));
            return Task.FromResult<IReadOnlyList<string>>(["GET /v1/invoices"]);
        }
    }

    [Fact]
    public async Task AUsageLearningSystemSeesTheStepsOfEarlierCasesOnlyAndOthersSeeNone()
    {
        var spec = EvalSpec.FromFile(TestSpecs.BillingPath);
        List<EvalCall> afterList = [new("GET", "/v1/invoices")];
        var cases = new List<EvalCase>
        {
            new("a#0", spec, null, [], "GET /v1/invoices"),
            new("a#1", spec, null, afterList, "GET /v1/invoices/{invoice}"),
            new("b#0", spec, null, [], "GET /v1/invoices"),
            new("b#1", spec, null, afterList, "GET /v1/invoices/{invoice}"),
        };
        var learner = new UsageRecorder();
        var cold = new Recorder("cold", intentSignals: true);

        await new EvalRunner(new EvalSpecCatalogs(), null)
            .RunAsync("billing", cases, new EvalReport(), [learner, cold], null, TestContext.Current.CancellationToken);

        // Nothing before the first case; then only the steps of the cases before, ever longer contexts of them (the
        // second "a" call after the first; "b" starting as "a" did; b's second call after the same start and list).
        Assert.Equal([(-1, 0f), (0, 1f), (1, 1f), (2, 1f)], learner.Observed);
        Assert.Equal(4, cold.Seen.Count);
    }
}
