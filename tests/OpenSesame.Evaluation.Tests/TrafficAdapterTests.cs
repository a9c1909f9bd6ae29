using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class TrafficAdapterTests
{
    private const string TinySpec = """
        {"openapi": "3.0.0", "info": {"title": "Tiny GitHub", "version": "1"}, "paths": {
          "/user": {"get": {"responses": {"200": {"description": "ok"}}}},
          "/user/repos": {"get": {"responses": {"200": {"description": "ok"}}}},
          "/user/orgs": {"get": {"responses": {"200": {"description": "ok"}}}},
          "/repos/{owner}/{repo}": {"get": {"parameters": [{"name": "owner", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "repo", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}},
          "/repos/{owner}/{repo}/tarball/{ref}": {"get": {"parameters": [{"name": "owner", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "repo", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "ref", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"302": {"description": "ok"}}}}}}
        """;

    private static string Sessions(string api) => Path.Combine(EvalData.PathOf(".."), "traffic", "sessions", api + ".jsonl");

    // A hand-written sessions file in <temp>/traffic/sessions, its spec under <temp>/evaldata as the shared folder has it.
    private static string WriteSessions(TempFolder temp, params string[] lines)
    {
        temp.Write(Path.Combine("evaldata", "tiny.json"), TinySpec);
        return temp.Write(Path.Combine("traffic", "sessions", "github.jsonl"),
            string.Join('\n', lines.Select(l => l.Replace("$SPEC", "\"spec\": \"evaldata/tiny.json\"", StringComparison.Ordinal))));
    }

    [Fact]
    public void TheGitHubSessionsAskForEveryRecordedCallAfterTheFirstThatTheSpecHas()
    {
        var run = EvalRun.Of("traffic", Sessions("github"));

        Assert.Equal(3346, run.Cases.Count); // 3,557 with the 47 hand-edited hub4j sessions, which are not traffic
        Assert.Equal(47, run.Report.Skipped[$"traffic: {Training.Traffic.TrafficSplit.SuspectSyntheticReason}"].Count);
        Assert.Equal(1187 - 47, run.Tasks.Count);
        Assert.Equal(0, run.Report.UnmappableCases);
        Assert.Equal(0, run.Report.SkippedCount - 47); // every line and call of the file is readable
        Assert.Equal(112, run.Report.HistoryOnlyCalls); // calls after the first whose template is null
        Assert.All(run.Tasks, t => Assert.Null(t.Prompt));
    }

    [Fact]
    public void TheStripeSessionsGiveTheirFourHundredEightyOneCases()
    {
        var run = EvalRun.Of("traffic", Sessions("stripe"));

        Assert.Equal(481, run.Cases.Count);
        Assert.Equal(155, run.Tasks.Count);
        Assert.Equal(0, run.Report.UnmappableCases);
    }

    [Fact]
    public void TheRecordedTemplateIsTheTruthAndTheHistoryIsWhatTheClientSent()
    {
        using var temp = new TempFolder();
        var file = WriteSessions(temp,
            """{"source": "o/client@abc:spec/a.json", "api": "github", $SPEC, "suspect_synthetic": null, "calls": [""" +
            """{"method": "GET", "path": "/repos/o/r", "query": {"per_page": "100"}, "body_keys": [], "template": "GET /repos/{owner}/{repo}", "status": 200},""" +
            """{"method": "GET", "path": "/nowhere/7", "query": {}, "body_keys": [], "template": null, "status": 404},""" +
            """{"method": "HEAD", "path": "/repos/o/r/tarball/main", "query": {}, "body_keys": [], "template": "GET /repos/{owner}/{repo}/tarball/{ref}", "status": 302}]}""");

        var run = EvalRun.Of("traffic", file);

        var task = Assert.Single(run.Tasks);
        Assert.Equal("o/client:spec/a.json", task.Id);
        // The first call opens the session; the unknown call is history only; the HEAD is asked as the recorded GET.
        var @case = Assert.Single(run.Cases);
        Assert.Equal("GET /repos/{owner}/{repo}/tarball/{ref}", @case.Expected);
        Assert.Equal(["GET /repos/o/r", "GET /nowhere/7"], @case.History.Select(c => c.Endpoint));
        Assert.Equal(new Dictionary<string, string> { ["per_page"] = "100" }, @case.History[0].Params);
        Assert.Equal(1, run.Report.HistoryOnlyCalls);
    }

    [Fact]
    public void AMalformedLineAndAMalformedCallAreReportedAndTheRestIsRead()
    {
        using var temp = new TempFolder();
        var good = """{"source": "o/client@abc:t.json", "api": "github", $SPEC, "suspect_synthetic": null, "calls": [""" +
                   """{"method": "GET", "path": "/user", "template": "GET /user"}, {"method": "GET", "path": "/user/repos", "template": "GET /user/repos"}]}""";
        var badCall = """{"source": "o/client@abc:u.json", "api": "github", $SPEC, "suspect_synthetic": null, "calls": [""" +
                      """{"method": "GET", "path": "/user", "template": "GET /user"}, {"path": "/user/repos"}, {"method": "GET", "path": "/user/orgs", "template": "GET /user/orgs"}]}""";
        var file = WriteSessions(temp, good, "{\"source\": broken", badCall);
        var report = new EvalReport();

        var tasks = new TrafficAdapter().Load(file, null, report).ToList();

        Assert.Equal(2, tasks.Count);
        Assert.Equal(["GET /user", "GET /user/orgs"], tasks[1].Gold.Select(c => c.Endpoint));
        Assert.StartsWith($"{file}:2: not valid JSON", report.Skipped["traffic: a malformed line (its session is left out)"].Examples.Single(), StringComparison.Ordinal);
        Assert.StartsWith($"{file}:3: call 1: the field 'method'", report.Skipped["traffic: a malformed call (left out of its session)"].Examples.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingDatasetOrAFileWithoutAReadableSessionIsAClearError()
    {
        using var temp = new TempFolder();
        var broken = temp.Write("traffic/sessions/github.jsonl", "not json\n[1, 2]\n");

        var missing = Assert.Throws<EvalDataException>(() => new TrafficAdapter().Load(temp.PathOf("nothing.jsonl"), null));
        var unreadable = Assert.Throws<EvalDataException>(() => new TrafficAdapter().Load(broken, null));

        Assert.Contains("nothing.jsonl", missing.Message, StringComparison.Ordinal);
        Assert.Contains("no readable session", unreadable.Message, StringComparison.Ordinal);
        Assert.Contains($"{broken}:1:", unreadable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheValidationSplitScoresTheHeldOutClientsOnly()
    {
        var run = EvalRun.Of("traffic", Sessions("github"), split: EvalSplit.Validation);

        Assert.All(run.Tasks, t => Assert.StartsWith("octokit/octokit.rb:", t.Id, StringComparison.Ordinal));
        Assert.True(run.Tasks.Count is > 0 and < 650);
        Assert.Equal(run.Tasks.Select(t => string.Join(' ', t.Gold.Select(c => c.Operation))).Distinct().Count(), run.Tasks.Count);
    }

    [Fact]
    public void OnlyTheTrafficFormatTakesASplit()
    {
        var error = Assert.Throws<EvalDataException>(() => EvalDatasetAdapters.Get("restbench", split: EvalSplit.Validation));

        Assert.Contains("only the traffic format", error.Message, StringComparison.Ordinal);
        Assert.Equal(EvalSplit.Train, Assert.IsType<TrafficAdapter>(EvalDatasetAdapters.Get("traffic", split: EvalSplit.Train)).Split);
    }
}
