using OpenSesame.Evaluation.Replay;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Evaluation.Tests.Replay;

/// <summary>What a replay sends and how it scores the answers; the target here is a small scripted one, the real
/// service's replays are in the CLI's tests.</summary>
public sealed class ReplayRunnerTests
{
    private static readonly EvalSpec Pets = new("pets", null, Specs.Pets);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static EvalCall Call(string endpoint)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        return new EvalCall(endpoint[..space], endpoint[(space + 1)..]);
    }

    private static List<ReplayStep> Plan(params EvalTask[] tasks)
    {
        var catalogs = new EvalSpecCatalogs();
        return ReplayPlan.Build(new EvalCaseBuilder(catalogs).Build(tasks, new EvalReport()), catalogs);
    }

    /// <summary>Answers every request with <paramref name="answer"/> and keeps what it was sent.</summary>
    private sealed class ScriptedTarget(Func<PredictRequest, ReplayAnswer> answer) : IReplayTarget
    {
        public List<PredictRequest> Requests { get; } = [];

        public Task<ReplayAnswer> PredictAsync(PredictRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return System.Threading.Tasks.Task.FromResult(answer(request));
        }
    }

    [Fact]
    public async Task ScoresEachCaseAgainstItsExpectedOperationAndDrawsTheCurvePerWindow()
    {
        // Always the same answer: right for the first call of a task (rank 1), the second (rank 3), never the third.
        var target = new ScriptedTarget(_ => new ReplayAnswer(200, ["GET /pets", "POST /pets/search", "GET /pets/{petId}"], "m-1"));
        var steps = Plan(
            new EvalTask("a", Pets, null, [Call("GET /pets"), Call("GET /pets/1"), Call("DELETE /pets/1")]),
            new EvalTask("b", Pets, null, [Call("GET /pets"), Call("GET /pets/2"), Call("DELETE /pets/2")]));

        var result = await new ReplayRunner(target, new ReplaySettings { Window = 4 }).RunAsync("pets.jsonl", steps, null, Cancel);

        Assert.Equal((6, 2), (result.Cases.Count, result.Sessions));
        Assert.Equal(2.0 / 6, result.Final.Overall.Top1, 6);
        Assert.Equal(4.0 / 6, result.Final.Overall.Top3, 6);
        Assert.Equal((2 * 1 + 2 / 3.0) / 6, result.Final.Overall.Mrr, 6);
        Assert.Equal([(1, 4), (5, 6)], result.Windows.Select(w => (w.From, w.To)));
        Assert.Equal([0.75, 0.5], result.Windows.Select(w => w.Scores.Top3));
        Assert.Equal((6, 0, 2), (result.Requests[ReplayStepKind.Case], result.Requests[ReplayStepKind.Between], result.Requests[ReplayStepKind.Closing]));
        Assert.Equal(["m-1"], result.ModelVersions);
        Assert.Equal(0, result.NonSuccess);
    }

    [Fact]
    public async Task EveryRequestCarriesItsSessionsIdsTheHistoryAsEventsThePromptAndK()
    {
        var target = new ScriptedTarget(_ => new ReplayAnswer(200, []));
        var steps = Plan(new EvalTask("adopt 1", Pets, "adopt a cat",
            [Call("GET /pets"), new EvalCall("post", "/pets/7/adopt", new Dictionary<string, string> { ["petId"] = "7" })]));

        await new ReplayRunner(target, new ReplaySettings { K = 4 }).RunAsync("pets.jsonl", steps, null, Cancel);

        var closing = target.Requests[^1];
        Assert.Equal(("replay:adopt-1", "adopt-1", "adopt a cat", 4), (closing.UserId, closing.SessionId, closing.Prompt, closing.K));
        Assert.Equal(["GET /pets", "POST /pets/{petId}/adopt"], closing.Events!.Select(e => e!.Endpoint));
        var second = target.Requests[1];
        Assert.Equal(["GET /pets"], second.Events!.Select(e => e!.Endpoint));
        Assert.Empty(second.Events![0]!.Params!);
    }

    [Fact]
    public async Task AnswersThatAreNotSuccessesAreMissesAndAreCountedWithWhatTheServiceSaid()
    {
        var target = new ScriptedTarget(request => request.Events!.Count == 1
            ? new ReplayAnswer(400, [], Problem: "The request has invalid fields. prompt: too long")
            : new ReplayAnswer(200, ["GET /pets", "GET /pets/{petId}"]));
        var steps = Plan(new EvalTask("a", Pets, null, [Call("GET /pets"), Call("GET /pets/1"), Call("DELETE /pets/1")]));

        var result = await new ReplayRunner(target, new ReplaySettings()).RunAsync("pets.jsonl", steps, null, Cancel);

        Assert.Equal((1, 1), (result.NonSuccess, result.UnansweredCases));
        Assert.Equal(new Dictionary<int, int> { [200] = 3, [400] = 1 }, result.Statuses);
        Assert.Equal("The request has invalid fields. prompt: too long", result.Problems[400]);
        Assert.Equal(1.0 / 3, result.Final.Overall.Top3, 6);
    }

    [Fact]
    public async Task AHistoryLongerThanTheLimitSendsItsMostRecentCalls()
    {
        var target = new ScriptedTarget(_ => new ReplayAnswer(200, []));
        var gold = Enumerable.Range(1, 6).Select(i => Call($"GET /pets/{i}")).ToList();
        var steps = Plan(new EvalTask("a", Pets, null, gold, FirstTarget: 5));

        var result = await new ReplayRunner(target, new ReplaySettings { MaxEvents = 3 }).RunAsync("pets.jsonl", steps, null, Cancel);

        Assert.Equal(["GET /pets/3", "GET /pets/4", "GET /pets/5"], target.Requests[0].Events!.Select(e => e!.Endpoint));
        Assert.Equal(["GET /pets/4", "GET /pets/5", "GET /pets/{petId}"], target.Requests[1].Events!.Select(e => e!.Endpoint));
        Assert.Equal(2, result.TruncatedHistories);
        // Scored by the history the dataset gave it, whatever the request carried.
        Assert.Equal(1, result.Final.ByHistory["2+"].Count);
    }

    [Fact]
    public async Task ASpecFileGoesByPathOrInlineAsAskedAndASpecMadeInMemoryAlwaysInline()
    {
        using var folder = new TempFolder();
        var file = new EvalSpec("pets.yaml", folder.Write("pets.yaml", Specs.Pets), null);
        var tasks = new[] { new EvalTask("f", file, null, [Call("GET /pets")]), new EvalTask("m", Pets, null, [Call("GET /pets")]) };
        var byPath = new ScriptedTarget(_ => new ReplayAnswer(200, []));
        var inline = new ScriptedTarget(_ => new ReplayAnswer(200, []));

        await new ReplayRunner(byPath, new ReplaySettings { Specs = SpecDelivery.Path }).RunAsync("x", Plan(tasks), null, Cancel);
        await new ReplayRunner(inline, new ReplaySettings { Specs = SpecDelivery.Inline }).RunAsync("x", Plan(tasks), null, Cancel);

        Assert.Equal((Path.GetFullPath(file.FilePath!), null), (byPath.Requests[0].SpecUrl, byPath.Requests[0].Spec));
        Assert.Equal(Specs.Pets, byPath.Requests[^1].Spec!.Text());
        Assert.All(inline.Requests, r => Assert.Null(r.SpecUrl));
        Assert.Equal([Specs.Pets, Specs.Pets], new[] { inline.Requests[0], inline.Requests[^1] }.Select(r => r.Spec!.Text()));
    }
}
