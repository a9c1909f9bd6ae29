using OpenSesame.Training.Synthetic;
using OpenSesame.Training.Traffic;

namespace OpenSesame.Training.Tests.Traffic;

public sealed class TrafficSessionsTests
{
    private static RecordedCall Call(string method, string path, string? template) =>
        new(method, path, new Dictionary<string, string> { ["per_page"] = "100" }, [], template, 200);

    private static RecordedSession Session(params RecordedCall[] calls) =>
        new("hub4j/github-api@c0ffee:t.json", "github", "evaldata/specs/github.yaml", null, calls, "github.jsonl", 1);

    [Fact]
    public void ARecordedSessionBecomesATrainingSessionOfItsSpecWithoutPromptsAndWithItsConcretePathsAndQuery()
    {
        var converted = TrafficSessions.ToTrainingSessions([Session(
            Call("GET", "/repos/o/r", "GET /repos/{owner}/{repo}"),
            Call("GET", "/repos/o/r/issues", "GET /repos/{owner}/{repo}/issues"))]).Single();

        Assert.Equal("evaldata/specs/github.yaml", converted.Domain);
        Assert.Equal(["GET /repos/{owner}/{repo}", "GET /repos/{owner}/{repo}/issues"], converted.Calls.Select(c => c.Key));
        Assert.Equal(["/repos/o/r", "/repos/o/r/issues"], converted.Calls.Select(c => c.Path));
        Assert.All(converted.Calls, c => Assert.Equal("100", c.Params["per_page"]));
        Assert.All(converted.Prompts, Assert.Null);
        Assert.True(converted.BeginsMidWorkflow, "a recorded test starts from its fixtures, not from an empty history");
    }

    [Fact]
    public void CallsTheSpecLacksAreLeftOutAndAHeadCountsAsTheGetItWasMappedTo()
    {
        var converted = TrafficSessions.ToTrainingSessions([Session(
            Call("HEAD", "/", "GET /"),
            Call("GET", "/meta/unknown", null),
            Call("GET", "/user", "GET /user"))]).Single();

        Assert.Equal(["GET /", "GET /user"], converted.Calls.Select(c => c.Key));
    }

    [Fact]
    public void ASessionLeftWithFewerThanTwoCallsTeachesNoTransitionAndIsDropped() =>
        Assert.Empty(TrafficSessions.ToTrainingSessions([Session(Call("GET", "/user", "GET /user"), Call("GET", "/x", null))]));

    [Fact]
    public void WrittenPromptsNameTheRecordedCallsInTheSpecsOwnWordsAndMayCarryTheIdTheCallWorksOn()
    {
        var catalog = SyntheticDomains.Get("billing").Catalog;
        var get = catalog.Operations.First(o => o.Method == "GET" && o.Path.Slots.Count == 1);
        var list = catalog.Operations.First(o => o.Method == "GET" && o.Path.Slots.Count == 0);
        var concrete = get.PathTemplate.Replace("{" + get.Path.Slots[0].Name + "}", "in_42", StringComparison.Ordinal);
        var recorded = TrafficSessions.ToTrainingSessions([new RecordedSession("r@c:t.json", "billing", "billing", null,
            [Call("GET", list.PathTemplate, $"GET {list.PathTemplate}"), Call("GET", concrete, $"GET {get.PathTemplate}")], "billing.jsonl", 1)]).Single();
        var explicitOnly = new SpecWalkOptions
        {
            Sessions = new SyntheticSamplerOptions { NoPromptShare = 0, GoalPromptShare = 0, TaskPromptShare = 0, VaguePromptShare = 0, ExplicitPromptShare = 1, ExtraWordsProbability = 0, TypoProbability = 0, CasingProbability = 0 },
            IdInPromptProbability = 1,
        };

        var prompted = TrafficSessions.WithWrittenPrompts(recorded, catalog, explicitOnly, new Random(3));

        Assert.Equal(SyntheticPromptKind.Explicit, prompted.PromptKind);
        Assert.Equal(recorded.Calls, prompted.Calls);
        Assert.Contains("in_42", prompted.Prompts[1], StringComparison.Ordinal);
        var lastWord = get.Summary!.Split(' ')[^1];
        Assert.Contains(lastWord, prompted.Prompts[1], StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/repos/{owner}/{repo}/issues/{issue_number}", "/repos/o/r/issues/5", "5")]
    [InlineData("/repos/{owner}/{repo}/issues", "/repos/o/r/issues?page=2", "r")]
    [InlineData("/user", "/user", null)]
    [InlineData("/files/{path}", "/files/a/b", null)]
    public void TheIdACallWorksOnIsItsLastPathParametersValueWhenPathAndTemplateLineUp(string template, string path, string? id) =>
        Assert.Equal(id, SpecPrompter.LastPathValue(template, path));
}
