using OpenSesame.Evaluation.Replay;

namespace OpenSesame.Evaluation.Tests.Replay;

/// <summary>How a task set's cases become the requests a client would send: sessions, the calls between cases, the
/// closing request, and the ids.</summary>
public sealed class ReplayPlanTests
{
    private static readonly EvalSpec Pets = new("pets", null, Specs.Pets);

    private static EvalCall Call(string endpoint)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        return new EvalCall(endpoint[..space], endpoint[(space + 1)..]);
    }

    private static EvalTask Task(string id, params string[] gold) => new(id, Pets, "adopt a cat", [.. gold.Select(Call)]);

    private static (List<ReplayStep> Steps, List<EvalCase> Cases) Plan(params EvalTask[] tasks)
    {
        var catalogs = new EvalSpecCatalogs();
        var cases = new EvalCaseBuilder(catalogs).Build(tasks, new EvalReport());
        return (ReplayPlan.Build(cases, catalogs), cases);
    }

    private static string Describe(ReplayStep step) =>
        $"{step.Session.SessionId} {step.Kind} [{string.Join(", ", step.History.Select(h => h.Endpoint))}]";

    [Fact]
    public void TheCasesOfATaskAreOneSessionClosedByARequestEndingWithTheLastExpectedCall()
    {
        var (steps, cases) = Plan(Task("t1", "GET /pets", "GET /pets/7", "POST /pets/7/adopt"));

        Assert.Equal(
        [
            "t1 Case []",
            "t1 Case [GET /pets]",
            "t1 Case [GET /pets, GET /pets/7]",
            "t1 Closing [GET /pets, GET /pets/7, POST /pets/{petId}/adopt]",
        ], steps.Select(Describe));
        Assert.Equal(cases, steps.Select(s => s.Case).OfType<EvalCase>());
        Assert.All(steps, s => Assert.Equal(("t1", "replay:t1", "adopt a cat"), (s.Session.SessionId, s.Session.UserId, s.Prompt)));
    }

    [Fact]
    public void TheNextTaskStartsANewSessionAndTheOneBeforeIsClosedFirst()
    {
        var (steps, _) = Plan(Task("t1", "GET /pets", "GET /pets/7"), Task("t2", "GET /pets", "POST /pets/search"));

        Assert.Equal(
        [
            "t1 Case []",
            "t1 Case [GET /pets]",
            "t1 Closing [GET /pets, GET /pets/{petId}]",
            "t2 Case []",
            "t2 Case [GET /pets]",
            "t2 Closing [GET /pets, POST /pets/search]",
        ], steps.Select(Describe));
        Assert.Equal([0, 0, 0, 1, 1, 1], steps.Select(s => s.Session.Index));
    }

    [Fact]
    public void WhenACallBetweenTwoCasesIsNoCaseTheCallBeforeItIsReportedByARequestOfItsOwn()
    {
        var task = new EvalTask("t1", Pets, null, [Call("GET /pets"), Call("GET /pets/7") with { IsTarget = false }, Call("DELETE /pets/7")]);

        var (steps, _) = Plan(task);

        // Every call ends the history of one request: GET /pets the one in between, GET /pets/7 the next case's.
        Assert.Equal(
        [
            "t1 Case []",
            "t1 Between [GET /pets]",
            "t1 Case [GET /pets, GET /pets/7]",
            "t1 Closing [GET /pets, GET /pets/7, DELETE /pets/{petId}]",
        ], steps.Select(Describe));
        Assert.Null(steps[1].Case);
    }

    [Fact]
    public void OneTaskPerStepWithItsOwnIdAndPromptIsStillOneSessionAsTheSyntheticFormatWritesIt()
    {
        EvalCall[] gold = [Call("GET /pets"), Call("GET /pets/7"), Call("POST /pets/7/adopt")];
        var tasks = Enumerable.Range(0, gold.Length)
            .Select(step => new EvalTask($"pets-1#{step}", Pets, $"prompt {step}", gold[..(step + 1)], step)).ToArray();

        var (steps, _) = Plan(tasks);

        Assert.Equal(["Case", "Case", "Case", "Closing"], steps.Select(s => s.Kind.ToString()));
        Assert.All(steps, s => Assert.Equal("pets-1-0", s.Session.SessionId));
        Assert.Equal(["prompt 0", "prompt 1", "prompt 2", "prompt 2"], steps.Select(s => s.Prompt));
    }

    [Fact]
    public void AHistoryThatDoesNotContinueTheCaseBeforeStartsANewSession()
    {
        // One question per task, as the neutral JSONL format asks them: the second history is not the first's plus its answer.
        var first = new EvalTask("q1", Pets, null, [Call("GET /pets"), Call("GET /pets/7")], FirstTarget: 1);
        var second = new EvalTask("q2", Pets, null, [Call("GET /pets"), Call("POST /pets/search"), Call("GET /pets/9")], FirstTarget: 2);
        var continued = new EvalTask("q3", Pets, null, [Call("GET /pets"), Call("POST /pets/search"), Call("GET /pets/9"), Call("DELETE /pets/9")], FirstTarget: 3);

        var (steps, _) = Plan(first, second, continued);

        Assert.Equal(
        [
            "q1 Case [GET /pets]",
            "q1 Closing [GET /pets, GET /pets/{petId}]",
            "q2 Case [GET /pets, POST /pets/search]",
            "q2 Case [GET /pets, POST /pets/search, GET /pets/9]",
            "q2 Closing [GET /pets, POST /pets/search, GET /pets/9, DELETE /pets/{petId}]",
        ], steps.Select(Describe));
    }

    [Fact]
    public void ACallWithOtherParameterValuesIsAnotherHistory()
    {
        var first = new EvalTask("q1", Pets, null, [new EvalCall("GET", "/pets", new Dictionary<string, string> { ["limit"] = "5" }), Call("GET /pets/7")], FirstTarget: 1);
        var second = new EvalTask("q2", Pets, null, [new EvalCall("GET", "/pets", new Dictionary<string, string> { ["limit"] = "9" }), Call("GET /pets/7"), Call("DELETE /pets/7")], FirstTarget: 2);
        var same = new EvalTask("q3", Pets, null, [new EvalCall("GET", "/pets", new Dictionary<string, string> { ["limit"] = "9" }), Call("GET /pets/7"), Call("DELETE /pets/7"), Call("GET /pets")], FirstTarget: 3);

        var (steps, _) = Plan(first, second, same);

        Assert.Equal(["q1", "q1", "q2", "q2", "q2"], steps.Select(s => s.Session.SessionId));
    }

    [Fact]
    public void ATaskIdThatComesBackGetsANewSessionId()
    {
        var (steps, _) = Plan(Task("t1", "GET /pets"), Task("t1", "POST /pets/search"));

        Assert.Equal(["t1", "t1", "t1~2", "t1~2"], steps.Select(s => s.Session.SessionId));
        Assert.Equal("replay:t1~2", steps[^1].Session.UserId);
    }

    [Theory]
    [InlineData("restbench 12", "restbench-12")]
    [InlineData("octokit/octokit.rb#client/repos.yml", "octokit-octokit.rb-client-repos.yml")]
    [InlineData("box_151", "box_151")]
    [InlineData("", "task")]
    public void TaskIdsBecomeIdsTheContractAccepts(string taskId, string expected) =>
        Assert.Equal(expected, ReplayPlan.SafeId(taskId));

    [Fact]
    public void LongTaskIdsAreCutWithAHashSoThatTheyStayApart()
    {
        var a = ReplayPlan.SafeId(new string('a', 150) + "1");
        var b = ReplayPlan.SafeId(new string('a', 150) + "2");

        Assert.Equal((100, 100), (a.Length, b.Length));
        Assert.NotEqual(a, b);
        Assert.StartsWith(new string('a', 91) + "-", a, StringComparison.Ordinal);
    }
}
