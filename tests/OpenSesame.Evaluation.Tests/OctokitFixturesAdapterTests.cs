using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class OctokitFixturesAdapterTests
{
    private static string Scenarios => EvalData.PathOf("octokit-fixtures/scenarios/api.github.com");

    private const string Fixture = """
        [
          {"scope": "https://api.github.com:443", "method": "get", "path": "/repos/o/r/issues?state=open&labels=bug%20fix",
           "body": "", "status": 200},
          {"scope": "https://api.github.com:443", "method": "post", "path": "/repos/o/r/issues",
           "body": {"title": "Found a bug", "labels": ["bug"], "state": "open"}, "status": 201},
          {"scope": "https://uploads.github.com:443", "method": "post", "path": "/repos/o/r/releases/1/assets?name=a.txt", "status": 201}
        ]
        """;

    [Fact]
    public void LoadsTheTwentyTwoScenariosWithoutTheirRequestsToOtherHosts()
    {
        var run = EvalRun.Of("octokit", Scenarios);

        Assert.Equal(22, run.Tasks.Count);
        Assert.Equal(67, run.GoldCalls); // 71 recorded requests, 4 of them not to api.github.com
        Assert.Equal(4, run.Report.Skipped.Values.Single().Count);
        Assert.All(run.Tasks, t => Assert.Null(t.Prompt));

        // 1 recorded request is no operation of the 2022 GitHub spec, so 66 of 67 calls are questions:
        // GET /repos/o/hello-world/contents/ (get-content), the directory listing with an empty {path}, which the spec
        // only knows with a path segment. /repositories/{id}/issues (4, the pages of paginate-issues) and
        // /repositories/{id} (2, rename-repository follows the redirect) are id-based paths GitHub answers and the spec
        // documents under /repos/{owner}/{repo}: aliases, reported as loose matches.
        Assert.Equal(66, run.Cases.Count);
        Assert.Equal(1, run.Report.UnmappedCalls);
        Assert.Equal(["get-content#0: GET /repos/octokit-fixture-org/hello-world/contents/"],
            run.Report.Unmapped[EvalCaseBuilder.PrefixOnly].Examples);
        Assert.Equal(6, run.Report.LooseMatches[EvalCaseBuilder.AliasPath].Count);
        Assert.Contains("rename-repository#2: GET /repositories/1000 -> GET /repos/{owner}/{repo}",
            run.Report.LooseMatches[EvalCaseBuilder.AliasPath].Examples);

        // The list-refs call GET .../git/refs/ was removed from the spec; by path it lands on POST .../git/refs
        // (the only method declared there): 2 cases whose expected call is the right path with the spec's method.
        Assert.Equal(2, run.Report.LooseMatches[EvalCaseBuilder.MethodNotDeclared].Count);
    }

    [Fact]
    public void AScenarioAsksForEachRecordedRequestAsItsSpecOperation()
    {
        var run = EvalRun.Of("octokit", Scenarios);

        Assert.Equal(
            ["GET /repos/{owner}/{repo}/labels", "POST /repos/{owner}/{repo}/labels", "GET /repos/{owner}/{repo}/labels/{name}",
             "PATCH /repos/{owner}/{repo}/labels/{name}", "DELETE /repos/{owner}/{repo}/labels/{name}"],
            run.ExpectedOf("labels"));
        var fourth = run.Cases.Single(c => c.TaskId == "labels" && c.History.Count == 3);
        Assert.Equal("GET /repos/octokit-fixture-org/labels/labels/test-label", fourth.History[2].Endpoint);

        // The refs (heads/test) take two segments of the trailing {ref}; the two list calls are the loose matches above.
        Assert.Equal(
            ["POST /repos/{owner}/{repo}/git/refs", "POST /repos/{owner}/{repo}/git/refs", "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
             "POST /repos/{owner}/{repo}/git/refs", "DELETE /repos/{owner}/{repo}/git/refs/{ref}"],
            run.ExpectedOf("git-refs"));
    }

    [Fact]
    public void TheQueryStringBecomesParameters()
    {
        var task = Assert.Single(new OctokitFixturesAdapter().Load(Scenarios, null), t => t.Id == "search-issues");

        var call = Assert.Single(task.Gold);
        Assert.Equal("GET /search/issues", call.Endpoint);
        Assert.Equal(new Dictionary<string, string> { ["q"] = "sesame repo:octokit-fixture-org/search-issues" }, call.Params);
    }

    [Fact]
    public void OneFixtureFileIsOneTaskNamedAfterItsScenario()
    {
        var file = Path.Combine(Scenarios, "lock-issue", "normalized-fixture.json");

        var run = EvalRun.Of("octokit", file);

        var task = Assert.Single(run.Tasks);
        Assert.Equal("lock-issue", task.Id);
        Assert.Equal(
            ["PUT /repos/{owner}/{repo}/issues/{issue_number}/lock", "DELETE /repos/{owner}/{repo}/issues/{issue_number}/lock"],
            run.ExpectedOf("lock-issue"));
    }

    [Fact]
    public void UploadsAreDroppedAndQueryAndBodyFieldsBecomeParameters()
    {
        EvalData.PathOf("specs");
        using var temp = new TempFolder();
        temp.Write("traffic/create-issue/normalized-fixture.json", Fixture);
        var report = new EvalReport();

        var task = Assert.Single(new OctokitFixturesAdapter().Load(temp.PathOf("traffic"), null, report));

        Assert.Equal("create-issue", task.Id);
        Assert.Equal(["GET /repos/o/r/issues", "POST /repos/o/r/issues"], task.Gold.Select(c => c.Endpoint));
        Assert.Equal(new Dictionary<string, string> { ["state"] = "open", ["labels"] = "bug fix" }, task.Gold[0].Params);
        Assert.Equal(new Dictionary<string, string> { ["title"] = "Found a bug", ["labels"] = "[\"bug\"]", ["state"] = "open" },
            task.Gold[1].Params);
        Assert.Equal(["create-issue#2: POST uploads.github.com/repos/o/r/releases/1/assets?name=a.txt"],
            report.Skipped.Values.Single().Examples);
    }

    [Fact]
    public void AFolderOfOtherlyNamedRecordingsIsReadToo()
    {
        EvalData.PathOf("specs");
        using var temp = new TempFolder();
        temp.Write("traffic/b.json", Fixture);
        temp.Write("traffic/a.json", Fixture);

        var tasks = new OctokitFixturesAdapter().Load(temp.PathOf("traffic"), null).ToList();

        Assert.Equal(["a", "b"], tasks.Select(t => t.Id));
    }

    [Fact]
    public void AFolderWithoutRecordingsIsAClearError()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.PathOf("empty"));

        var error = Assert.Throws<EvalDataException>(() => new OctokitFixturesAdapter().Load(temp.PathOf("empty"), null));

        Assert.Contains(temp.PathOf("empty"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadJsonIsReportedWithFileAndLine()
    {
        EvalData.PathOf("specs");
        using var temp = new TempFolder();
        var file = temp.Write("traffic/broken/normalized-fixture.json", "[\n  {\"method\": \"get\",\n   \"path\": /user}\n]");

        var error = Assert.Throws<EvalDataException>(() => new OctokitFixturesAdapter().Load(temp.PathOf("traffic"), null));

        Assert.StartsWith($"{file}:3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenFixtureOrRequestAmongGoodOnesIsSkippedAndReported()
    {
        EvalData.PathOf("specs");
        using var temp = new TempFolder();
        temp.Write("traffic/good/normalized-fixture.json", Fixture);
        var broken = temp.Write("traffic/object/normalized-fixture.json", """{"method": "get", "path": "/user"}""");
        temp.Write("traffic/no-method/normalized-fixture.json", """[{"path": "/user"}, {"method": "get", "path": "/user/repos"}]""");
        var report = new EvalReport();

        var tasks = new OctokitFixturesAdapter().Load(temp.PathOf("traffic"), null, report).ToList();

        Assert.Equal(["good", "no-method"], tasks.Select(t => t.Id));
        Assert.Equal(["GET /user/repos"], tasks[1].Gold.Select(c => c.Endpoint));
        Assert.StartsWith($"{broken}: a fixture is a JSON list", report.Skipped["octokit: a malformed fixture (skipped)"].Examples.Single(), StringComparison.Ordinal);
        Assert.Contains("request 0: the field 'method'", report.Skipped["octokit: a malformed request (skipped)"].Examples.Single(), StringComparison.Ordinal);
    }
}
