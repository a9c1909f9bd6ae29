using OpenSesame.Evaluation;

namespace OpenSesame.Evaluation.Tests;

public sealed class EvalCaseBuilderTests
{
    private static readonly EvalSpec Pets = new("pets", null, Specs.Pets);

    private const string BoxLike = """
        openapi: 3.0.0
        info: {title: Files, version: "1"}
        paths:
          /files/{file_id}#add_shared_link:
            put: {operationId: addSharedLink, responses: {"200": {description: ok}}}
          /files/{file_id}:
            put: {operationId: updateFile, responses: {"200": {description: ok}}}
        """;

    private const string GitHubLike = """
        openapi: 3.0.0
        info: {title: Repos, version: "1"}
        paths:
          /repos/{owner}/{repo}:
            get: {operationId: getRepo, responses: {"200": {description: ok}}}
          /repos/{owner}/{repo}/contents/{path}:
            get: {operationId: getContent, responses: {"200": {description: ok}}}
          /repos/{owner}/{repo}/git/refs/{ref}:
            patch: {operationId: updateRef, responses: {"200": {description: ok}}}
        """;

    private static EvalCall Call(string endpoint)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        return new EvalCall(endpoint[..space], endpoint[(space + 1)..]);
    }

    private static EvalTask Task(EvalSpec spec, params string[] gold) => new("t", spec, "prompt", [.. gold.Select(Call)]);

    [Fact]
    public void CutsOneCasePerGoldCallWithTheCallsBeforeItAsHistory()
    {
        var report = new EvalReport();

        var cases = new EvalCaseBuilder().Build(Task(Pets, "GET /pets", "GET /pets/7", "POST /pets/7/adopt"), report);

        Assert.Equal(["GET /pets", "GET /pets/{petId}", "POST /pets/{petId}/adopt"], cases.Select(c => c.Expected));
        Assert.Equal([0, 1, 2], cases.Select(c => c.History.Count));
        Assert.Equal(["GET /pets", "GET /pets/7"], cases[2].History.Select(h => h.Endpoint));
        Assert.All(cases, c => Assert.Equal("prompt", c.Prompt));
        Assert.Equal((1, 3, 0, 0), (report.Tasks, report.Cases, report.UnmappableCases, report.UnmappedCalls));
    }

    [Fact]
    public void CasesStartAtTheFirstTarget()
    {
        var task = Task(Pets, "GET /pets", "GET /pets/7", "DELETE /pets/7") with { FirstTarget = 2 };

        var cases = new EvalCaseBuilder().Build(task, new EvalReport());

        var only = Assert.Single(cases);
        Assert.Equal("DELETE /pets/{petId}", only.Expected);
        Assert.Equal(2, only.History.Count);
    }

    [Fact]
    public void ExpectedIsTheSpecsOwnKeyHoweverTheDatasetSpelledTheCall()
    {
        var cases = new EvalCaseBuilder().Build(
            Task(Pets, "get /pets/{id}", "POST /pets/{pet}/adopt", "POST https://pets.example/pets/search?q=cat"), new EvalReport());

        Assert.Equal(["GET /pets/{petId}", "POST /pets/{petId}/adopt", "POST /pets/search"], cases.Select(c => c.Expected));
    }

    [Fact]
    public void ACallWhoseMethodTheSpecLacksMapsToTheOperationDeclaredOnItsPath()
    {
        var report = new EvalReport();

        var cases = new EvalCaseBuilder().Build(Task(Pets, "GET /pets/search"), report);

        Assert.Equal("POST /pets/search", Assert.Single(cases).Expected);
        Assert.Equal(1, report.LooseMatches[EvalCaseBuilder.MethodNotDeclared].Count);
    }

    [Fact]
    public void UnmappableTargetsAreCountedByReasonInsteadOfThrown()
    {
        var report = new EvalReport();

        var cases = new EvalCaseBuilder().Build(Task(Pets, "GET /owners", "POST /pets/7/adopt/now", "GET /pets"), report);

        Assert.Equal("GET /pets", Assert.Single(cases).Expected);
        Assert.Equal(2, report.UnmappableCases);
        Assert.Equal(2, report.UnmappedCalls);
        Assert.Equal(["t#0: GET /owners"], report.Unmapped[EvalCaseBuilder.NoOperation].Examples);
        Assert.Equal(["t#1: POST /pets/7/adopt/now"], report.Unmapped[EvalCaseBuilder.PrefixOnly].Examples);
    }

    [Fact]
    public void APathThatOnlyStartsWithASpecPathIsNotThatOperation()
    {
        var spec = new EvalSpec("store", null, """
            openapi: 3.0.0
            info: {title: Store, version: "1"}
            paths:
              /store/inventory:
                get: {operationId: getInventory, responses: {"200": {description: ok}}}
            """);
        var report = new EvalReport();

        var cases = new EvalCaseBuilder().Build(Task(spec, "GET /store/inventory/items"), report);

        Assert.Empty(cases);
        Assert.Equal(["t#0: GET /store/inventory/items"], report.Unmapped[EvalCaseBuilder.PrefixOnly].Examples);
    }

    [Fact]
    public void UnmappedCallsStayInTheHistoryOfLaterCases()
    {
        var cases = new EvalCaseBuilder().Build(Task(Pets, "GET /owners", "GET /pets"), new EvalReport());

        Assert.Equal(["GET /owners"], Assert.Single(cases).History.Select(h => h.Endpoint));
    }

    [Fact]
    public void UnmappedHistoryBeforeTheFirstTargetIsCountedButCostsNoCase()
    {
        var report = new EvalReport();
        var task = Task(Pets, "GET /owners", "GET /pets") with { FirstTarget = 1 };

        var cases = new EvalCaseBuilder().Build(task, report);

        Assert.Single(cases);
        Assert.Equal((1, 0), (report.UnmappedCalls, report.UnmappableCases));
    }

    [Fact]
    public void ACallNamingNoVariantIsThePlainOperationNotAFragmentVariant()
    {
        var spec = new EvalSpec("files", null, BoxLike);

        var cases = new EvalCaseBuilder().Build(
            Task(spec, "PUT /files/{id}", "PUT /files/123", "PUT /files/{file_id}#add_shared_link"), new EvalReport());

        Assert.Equal(["PUT /files/{file_id}", "PUT /files/{file_id}", "PUT /files/{file_id}#add_shared_link"],
            cases.Select(c => c.Expected));
    }

    [Fact]
    public void ATrailingParameterMayHoldSlashesButNotALiteralSegmentOfALongerPath()
    {
        var spec = new EvalSpec("repos", null, GitHubLike);
        var report = new EvalReport();

        var cases = new EvalCaseBuilder().Build(
            Task(spec, "PATCH /repos/o/r/git/refs/heads/main", "GET /repos/o/r/contents/", "GET /repos/o/r/contents/docs/a.md"),
            report);

        Assert.Equal(["PATCH /repos/{owner}/{repo}/git/refs/{ref}", "GET /repos/{owner}/{repo}/contents/{path}"],
            cases.Select(c => c.Expected));
        Assert.Equal(2, report.LooseMatches[EvalCaseBuilder.GreedyParameter].Count);
        Assert.Equal(["t#1: GET /repos/o/r/contents/"], report.Unmapped[EvalCaseBuilder.PrefixOnly].Examples);
    }

    [Fact]
    public void AnIdParameterDoesNotTakeTheSegmentsAfterIt()
    {
        var report = new EvalReport();

        var cases = new EvalCaseBuilder().Build(Task(Pets, "POST /pets/search/advanced", "GET /pets/7/toys/3"), report);

        Assert.Empty(cases);
        Assert.Equal(2, report.Unmapped[EvalCaseBuilder.PrefixOnly].Count);
    }

    [Fact]
    public void TasksOnTheSameSpecShareOneParsedCatalog()
    {
        using var temp = new TempFolder();
        var path = temp.Write("pets.yaml", Specs.Pets);
        var builder = new EvalCaseBuilder();

        builder.Build([Task(EvalSpec.FromFile(path), "GET /pets"), Task(EvalSpec.FromFile(path), "GET /pets/1")], new EvalReport());

        Assert.Equal(1, builder.Catalogs.Count);
    }

    [Fact]
    public void AReportListsAtMostFiveExamplesPerReason()
    {
        var report = new EvalReport();

        new EvalCaseBuilder().Build(Task(Pets, [.. Enumerable.Repeat("GET /owners", 8)]), report);

        Assert.Equal(8, report.Unmapped[EvalCaseBuilder.NoOperation].Count);
        Assert.Equal(5, report.Unmapped[EvalCaseBuilder.NoOperation].Examples.Count);
        Assert.Contains("8 unmapped calls", report.ToString(), StringComparison.Ordinal);
    }
}
