using System.Text.Json;
using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class ToolAlpacaAdapterTests
{
    private static string Simulated => EvalData.PathOf("toolalpaca/data/eval_simulated.json");

    private const string TinyDocumentation = """
        {"openapi": "3.0.0", "info": {"title": "Notes", "version": "1"}, "paths": {
          "/notes": {"get": {"operationId": "listNotes", "responses": {"200": {"description": "ok"}}},
                     "post": {"operationId": "addNote", "responses": {"200": {"description": "ok"}}}}}}
        """;

    private static string Api(object projection, string[] instructions, object[][] answers) =>
        JsonSerializer.Serialize(new[]
        {
            new
            {
                Name = "Notes",
                Documentation = TinyDocumentation,
                Function_Projection = projection,
                Instructions = instructions,
                Golden_Answers = answers,
            },
        });

    [Fact]
    public void LoadsTheHundredInstructionsAndEveryCallMapsToItsApisDocumentation()
    {
        var run = EvalRun.Of("toolalpaca", Simulated);

        Assert.Equal(100, run.Tasks.Count);
        Assert.Equal(146, run.GoldCalls); // 154 golden steps minus 8 getDetails questions
        Assert.Equal(146, run.Cases.Count);
        Assert.Equal(0, run.Report.UnmappedCalls);
        Assert.Empty(run.Report.LooseMatches);
    }

    [Fact]
    public void EachApiIsItsOwnSpec()
    {
        var run = EvalRun.Of("toolalpaca", Simulated);

        Assert.Equal(10, run.Tasks.Select(t => t.Spec).Distinct().Count());
        var axolotl = run.Task("Axolotl/0");
        Assert.Equal("Axolotl", axolotl.Spec.Name);
        Assert.Equal(3, new EvalSpecCatalogs().Get(axolotl.Spec).Operations.Count);
        Assert.Equal("Hey, can you show me a random picture of an axolotl?", axolotl.Prompt);
        Assert.Equal(["GET /random"], run.ExpectedOf("Axolotl/0"));
        Assert.Equal(["GET /anime/search", "GET /anime/{animeId}/cast-and-crew"], run.ExpectedOf("AniAPI/0"));
    }

    [Fact]
    public void ToolAlpacaDropsGetDetailsBecauseItAsksTheUserAQuestion()
    {
        var report = new EvalReport();

        var tasks = new ToolAlpacaAdapter().Load(Simulated, null, report).ToList();

        Assert.Equal(["POST /report"], tasks.Single(t => t.Id == "AbuseIPDB/0").Gold.Select(c => c.Endpoint));
        var skipped = Assert.Single(report.Skipped);
        Assert.Contains("getDetails", skipped.Key, StringComparison.Ordinal);
        Assert.Equal(8, skipped.Value.Count);
    }

    [Fact]
    public void AnOptionalStepLosesItsMarkerAndStaysInTheGold()
    {
        var tasks = new ToolAlpacaAdapter().Load(Simulated, null).ToList();

        Assert.Equal(["GET /getUserProfile", "PUT /updateUserProfile"], tasks.Single(t => t.Id == "Auth0/11").Gold.Select(c => c.Endpoint));
    }

    [Fact]
    public void PlaceholdersInActionInputAreNotParameters()
    {
        var tasks = new ToolAlpacaAdapter().Load(Simulated, null).ToList();

        // {"animeId": ${animeId from searchAnime}, "trackingService": "MyAnimeList", "progress": "100"} is not JSON.
        var tracking = tasks.Single(t => t.Id == "AniAPI/4").Gold[1];
        Assert.Equal("POST /anime/{animeId}/tracking", tracking.Endpoint);
        Assert.Equal(new Dictionary<string, string> { ["trackingService"] = "MyAnimeList", ["progress"] = "100" }, tracking.Params);

        // Empty strings are "not given": {"color": "wild", "gender": "", "size": "medium", "page": 1}.
        Assert.Equal(new Dictionary<string, string> { ["color"] = "wild", ["size"] = "medium", ["page"] = "1" },
            tasks.Single(t => t.Id == "Axolotl/1").Gold[0].Params);
    }

    [Fact]
    public void TheProjectionMayNameMethodAndPathInEitherOrderOrAsOneString()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("set.json", Api(
            new Dictionary<string, object> { ["listNotes"] = new List<string> { "GET", "/notes" }, ["addNote"] = "POST /notes" },
            ["Add a note and show them all"],
            [[new { Action = "addNote", Action_Input = "{\"text\": \"hi\"}" }, new { Action = "listNotes", Action_Input = "{}" }]]));

        var run = EvalRun.Of("toolalpaca", dataset);

        Assert.Equal(["POST /notes", "GET /notes"], run.ExpectedOf("Notes/0"));
        Assert.Equal(new Dictionary<string, string> { ["text"] = "hi" }, run.Task("Notes/0").Gold[0].Params);
    }

    [Fact]
    public void AnActionOutsideTheProjectionIsKeptAndReportedAsUnmapped()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("set.json", Api(
            new Dictionary<string, object> { ["listNotes"] = new List<string> { "/notes", "get" } },
            ["Archive my notes"],
            [[new { Action = "archiveNotes", Action_Input = "{}" }]]));

        var run = EvalRun.Of("toolalpaca", dataset);

        Assert.Equal("GET /archiveNotes", Assert.Single(run.Task("Notes/0").Gold).Endpoint);
        Assert.Empty(run.Cases);
        Assert.Equal(1, run.Report.UnmappedCalls);
    }

    [Fact]
    public void BadJsonIsReportedWithFileAndLine()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("set.json", "[\n{\"Name\": \"Notes\",\n\"Documentation\": }\n]");

        var error = Assert.Throws<EvalDataException>(() => new ToolAlpacaAdapter().Load(dataset, null));

        Assert.StartsWith($"{dataset}:3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnApiWithoutDocumentationAmongGoodOnesIsSkippedAndReported()
    {
        using var temp = new TempFolder();
        var good = JsonSerializer.Deserialize<JsonElement[]>(Api(
            new Dictionary<string, object> { ["listNotes"] = new List<string> { "/notes", "get" } }, ["Show my notes"], [[new { Action = "listNotes", Action_Input = "{}" }]]))!;
        var dataset = temp.Write("set.json", JsonSerializer.Serialize(new object[] { good[0], new { Name = "Broken", Instructions = new List<string> { "x" }, Golden_Answers = new List<object>() }, good[0] }));
        var report = new EvalReport();

        var tasks = new ToolAlpacaAdapter().Load(dataset, null, report).ToList();

        Assert.Equal(2, tasks.Count);
        Assert.Contains("API 'Broken': the field 'Documentation' is missing", report.Skipped["toolalpaca: a malformed API (skipped)"].Examples.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void APathWithoutItsLeadingSlashStillNamesTheOperation()
    {
        // eval_real.json (Fruityvice) writes "api/fruit/{name}" in the projection and in the document.
        using var temp = new TempFolder();
        const string documentation = """
            {"openapi": "3.0.0", "info": {"title": "Fruit", "version": "1"}, "paths": {
              "api/fruit/{name}": {"get": {"operationId": "getFruitByName", "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}},
              "/api/fruit/all": {"get": {"operationId": "getAllFruits", "responses": {"200": {"description": "ok"}}}}}}
            """;
        var dataset = temp.Write("set.json", JsonSerializer.Serialize(new[]
        {
            new
            {
                Name = "Fruityvice",
                Documentation = documentation,
                Function_Projection = new Dictionary<string, List<string>> { ["getFruitByName"] = ["api/fruit/{name}", "get"], ["getAllFruits"] = ["/api/fruit/all", "get"] },
                Instructions = new List<string> { "Tell me about mangoes" },
                Golden_Answers = new[] { new[] { new { Action = "getAllFruits", Action_Input = "{}" }, new { Action = "getFruitByName", Action_Input = "{\"name\": \"mango\"}" } } },
            },
        }));

        var run = EvalRun.Of("toolalpaca", dataset);

        Assert.Equal(["GET /api/fruit/all", "GET /api/fruit/{name}"], run.ExpectedOf("Fruityvice/0"));
        Assert.Equal(0, run.Report.UnmappedCalls);
    }

    [Fact]
    public void AnActionTheProjectionLeavesOutIsFoundInTheDocumentByItsGeneratedName()
    {
        // eval_real.json (AviationAPI) projects /airports only, and its answers also call preferred-routes_search_get.
        using var temp = new TempFolder();
        const string documentation = """
            {"openapi": "3.0.1", "info": {"title": "Aviation", "version": "1"}, "paths": {
              "/airports": {"get": {"responses": {"200": {"description": "ok"}}}},
              "/preferred-routes/search": {"get": {"responses": {"200": {"description": "ok"}}}},
              "/charts/{chart_id}": {"get": {"operationId": "chartById", "parameters": [{"name": "chart_id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}}}
            """;
        var dataset = temp.Write("set.json", JsonSerializer.Serialize(new[]
        {
            new
            {
                Name = "AviationAPI",
                Documentation = documentation,
                Function_Projection = new Dictionary<string, List<string>> { ["airports_get"] = ["/airports", "get"] },
                Instructions = new List<string> { "Routes from ACK to ERI, then chart 7" },
                Golden_Answers = new[] { new[] { new { Action = "preferred-routes_search_get", Action_Input = "{\"origin\": \"ACK\"}" }, new { Action = "chartById", Action_Input = "{}" } } },
            },
        }));

        var run = EvalRun.Of("toolalpaca", dataset);

        Assert.Equal(["GET /preferred-routes/search", "GET /charts/{chart_id}"], run.ExpectedOf("AviationAPI/0"));
    }

    [Fact]
    public void TrainingInstancesAreTasksAndQuestionsWithoutCallsAreSkipped()
    {
        // train_data.json: Instances with the agent's intermediate steps; validation_data.json: Questions only.
        using var temp = new TempFolder();
        var dataset = temp.Write("set.json", JsonSerializer.Serialize(new object[]
        {
            new
            {
                Name = "Notes",
                Documentation = TinyDocumentation,
                Function_Projection = new Dictionary<string, List<string>> { ["listNotes"] = ["/notes", "get"], ["addNote"] = ["/notes", "post"] },
                Instances = new[]
                {
                    new
                    {
                        input = "Add a note saying hi\nHint: the user wants one note",
                        output = "Done.",
                        intermediate_steps = new object[]
                        {
                            new object[] { new List<string> { "addNote", "{\"text\": \"hi\"}", "Thought: add it" }, "{\"id\": 1}" },
                            new object[] { new List<string> { "getDetails", "{\"Question\": \"Which?\"}", "Thought: ask" }, "this one" },
                            new object[] { new List<string> { "listNotes", "{}", "Thought: check" }, "[]" },
                        },
                    },
                },
            },
            new { Name = "Questions only", Documentation = TinyDocumentation, Questions = new List<string> { "What can you do?" } },
        }));

        var run = EvalRun.Of("toolalpaca", dataset);

        var task = Assert.Single(run.Tasks);
        Assert.Equal("Add a note saying hi", task.Prompt);
        Assert.Equal(["POST /notes", "GET /notes"], run.ExpectedOf("Notes/0"));
        Assert.Equal(new Dictionary<string, string> { ["text"] = "hi" }, task.Gold[0].Params);
        Assert.Equal(1, run.Report.Skipped["toolalpaca: an API without Golden_Answers or Instances has no gold calls"].Count);
    }

    [Fact]
    public void AMalformedProjectionEntryIsReportedAndTheRestOfTheApiKept()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("set.json", Api(
            new Dictionary<string, object> { ["listNotes"] = new List<string> { "/notes", "get" }, ["odd"] = new List<int> { 1, 2, 3 } },
            ["Show my notes"],
            [[new { Action = "listNotes", Action_Input = "{}" }]]));
        var report = new EvalReport();

        var task = Assert.Single(new ToolAlpacaAdapter().Load(dataset, null, report));

        Assert.Equal(["GET /notes"], task.Gold.Select(c => c.Endpoint));
        Assert.Contains("'odd'", report.Skipped["toolalpaca: a projection entry is not [path, method]"].Examples.Single(), StringComparison.Ordinal);
    }
}
