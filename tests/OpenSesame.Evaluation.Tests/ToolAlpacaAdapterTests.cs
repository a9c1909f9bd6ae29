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
}
