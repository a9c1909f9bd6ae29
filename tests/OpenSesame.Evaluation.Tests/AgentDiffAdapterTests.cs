using System.Text.Json;
using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class AgentDiffAdapterTests
{
    private static string Train => EvalData.PathOf("agent-diff/datasets/agent-diff-bench/train.jsonl");

    // A row as the dataset writes it: info is a JSON string inside the JSON row.
    private static string Row(string id, string service, string question, params string[] tools) =>
        JsonSerializer.Serialize(new
        {
            question,
            test_id = id,
            service,
            info = JsonSerializer.Serialize(new { service, tools_required = tools }),
        });

    [Fact]
    public void LoadsTheRestRowsOfTheTrainSplitAndMapsAllButOneCall()
    {
        var run = EvalRun.Of("agentdiff", Train);

        Assert.Equal(133, run.Tasks.Count); // 179 rows: box 38 + calendar 48 + slack 47, linear 46 skipped
        Assert.Equal(636, run.GoldCalls);
        Assert.Equal(635, run.Cases.Count);

        // slack_110 calls search.all, a real Slack method that the 2021 Slack spec does not have.
        Assert.Equal(1, run.Report.UnmappedCalls);
        Assert.Equal(["slack_110#3: POST /search.all"], run.Report.Unmapped[EvalCaseBuilder.NoOperation].Examples);
        Assert.Empty(run.Report.LooseMatches);
    }

    [Fact]
    public void AgentDiffSkipsLinearBecauseItIsGraphQl()
    {
        var report = new EvalReport();

        var tasks = new AgentDiffAdapter().Load(Train, null, report).ToList();

        Assert.DoesNotContain(tasks, t => t.Id.StartsWith("linear", StringComparison.Ordinal));
        var skipped = Assert.Single(report.Skipped);
        Assert.Contains("GraphQL", skipped.Key, StringComparison.Ordinal);
        Assert.Equal(46, skipped.Value.Count);
    }

    [Fact]
    public void BoxTasksShareOneMergedSpecThatAlsoHasTheHubs()
    {
        var run = EvalRun.Of("agentdiff", Train);

        var box = run.Tasks.Where(t => t.Id.StartsWith("box", StringComparison.Ordinal)).ToList();
        Assert.Equal(38, box.Count);
        Assert.All(box, t => Assert.Same(box[0].Spec, t.Spec));
        Assert.Equal(
            ["GET /users/me", "GET /search", "GET /files/{file_id}", "GET /files/{file_id}", "GET /collections", "POST /comments",
             "PUT /comments/{comment_id}", "DELETE /comments/{comment_id}", "GET /files/{file_id}/content",
             "POST /files/{file_id}/content", "GET /hubs/{hub_id}", "PUT /hubs/{hub_id}", "DELETE /folders/{folder_id}"],
            run.ExpectedOf("box_159"));
    }

    [Fact]
    public void SlackMethodNamesBecomeTheirSpecPathsWithTheMethodTheSpecDeclares()
    {
        var run = EvalRun.Of("agentdiff", Train);

        Assert.Equal(["GET /search.messages", "POST /chat.update"], run.ExpectedOf("slack_70"));
        Assert.Equal(["GET /search.messages", "POST /chat.update"], run.Task("slack_70").Gold.Select(c => c.Endpoint));
    }

    [Fact]
    public void CalendarDiscoveryIdsBecomeTheOperationsWithThatOperationId()
    {
        var run = EvalRun.Of("agentdiff", Train);

        // freeBusy.query is calendar.freebusy.query in the spec: ids compare case-insensitively.
        Assert.Equal(
            ["GET /calendars/{calendarId}/events/{eventId}", "POST /calendars/{calendarId}/events/{eventId}/move", "POST /freeBusy",
             "POST /calendars/{calendarId}/events", "PUT /calendars/{calendarId}/acl/{ruleId}", "POST /users/me/settings/watch"],
            run.ExpectedOf("calendar_209"));
        Assert.StartsWith("On the Brineglass Works calendar", run.Task("calendar_209").Prompt ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void AHeldOutFileElsewhereFindsTheSpecsInTheEvaldataFolder()
    {
        EvalData.PathOf("specs");
        using var temp = new TempFolder();
        var dataset = temp.Write("held-out/test.jsonl", string.Join('\n',
            Row("box_1", "box", "Put the folder in the hub", "GET /search", "GET /hub_items", "POST /hubs/{id}/manage_items"),
            Row("slack_1", "slack", "Say hi", "conversations.list", "chat.postMessage"),
            Row("calendar_1", "calendar", "Add an event", "calendarList.list", "events.insert"),
            Row("linear_1", "linear", "File a bug", "teams", "issueCreate")));

        var run = EvalRun.Of("agentdiff", dataset);

        Assert.Equal(["box_1", "slack_1", "calendar_1"], run.Tasks.Select(t => t.Id));
        Assert.Equal(0, run.Report.UnmappedCalls);
        Assert.Equal(["GET /search", "GET /hub_items", "POST /hubs/{hub_id}/manage_items"], run.ExpectedOf("box_1"));
        Assert.Equal(["GET /conversations.list", "POST /chat.postMessage"], run.ExpectedOf("slack_1"));
        Assert.Equal(["GET /users/me/calendarList", "POST /calendars/{calendarId}/events"], run.ExpectedOf("calendar_1"));
    }

    [Fact]
    public void ABadJsonLineAmongGoodRowsIsSkippedAndReportedWithFileAndLine()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("test.jsonl",
            Row("slack_1", "slack", "q", "chat.postMessage") + "\n\n{\"question\": \"unfinished\"\n" + Row("slack_2", "slack", "q", "conversations.list"));
        var report = new EvalReport();

        var tasks = new AgentDiffAdapter().Load(dataset, null, report).ToList();

        Assert.Equal(["slack_1", "slack_2"], tasks.Select(t => t.Id));
        Assert.StartsWith($"{dataset}:3:", report.Skipped["agentdiff: a malformed line (skipped)"].Examples.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void ARowWithoutToolsRequiredAmongGoodRowsIsSkippedAndReported()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("test.jsonl", string.Join('\n',
            Row("slack_1", "slack", "q", "chat.postMessage"),
            """{"question": "q", "test_id": "slack_2", "service": "slack", "info": "{\"service\": \"slack\"}"}"""));
        var report = new EvalReport();

        var task = Assert.Single(new AgentDiffAdapter().Load(dataset, null, report));

        Assert.Equal("slack_1", task.Id);
        Assert.Contains("tools_required", report.Skipped["agentdiff: a malformed row (skipped)"].Examples.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void ARowWithoutToolsRequiredIsReportedWithFileAndLine()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("test.jsonl", """{"question": "q", "test_id": "slack_1", "service": "slack", "info": "{\"service\": \"slack\"}"}""");

        var error = Assert.Throws<EvalDataException>(() => new AgentDiffAdapter().Load(dataset, null));

        Assert.Contains($"{dataset}:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("tools_required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASpecFolderOverrideThatLacksASpecNamesThePathLookedFor()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("test.jsonl", Row("slack_1", "slack", "q", "chat.postMessage"));

        var error = Assert.Throws<EvalDataException>(() => new AgentDiffAdapter().Load(dataset, temp.Root));

        Assert.Contains(Path.Combine(temp.Root, "specs", "slack-api-specs", "web-api", "slack_web_openapi_v2.json"), error.Message,
            StringComparison.Ordinal);
    }
}
