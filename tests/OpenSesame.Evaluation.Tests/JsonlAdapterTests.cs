using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class JsonlAdapterTests
{
    [Fact]
    public void EachLineAsksOneQuestionAfterItsEvents()
    {
        using var temp = new TempFolder();
        temp.Write("specs/pets.yaml", Specs.Pets);
        var dataset = temp.Write("cases/pets.jsonl", """
            {"id": "adopt", "spec": "../specs/pets.yaml", "prompt": "Adopt the cat", "events": [{"endpoint": "GET /pets", "params": {"kind": "cat", "limit": 10}}, {"endpoint": "GET /pets/7"}], "expected": "POST /pets/{petId}/adopt"}

            {"spec": "../specs/pets.yaml", "prompt": null, "events": [], "expected": "GET /pets"}
            """);

        var run = EvalRun.Of("jsonl", dataset);

        Assert.Equal(2, run.Tasks.Count);
        var adopt = run.Task("adopt");
        Assert.Equal(2, adopt.FirstTarget);
        Assert.Equal(["GET /pets", "GET /pets/7", "POST /pets/{petId}/adopt"], adopt.Gold.Select(c => c.Endpoint));
        Assert.Equal(new Dictionary<string, string> { ["kind"] = "cat", ["limit"] = "10" }, adopt.Gold[0].Params);
        Assert.Equal("Adopt the cat", adopt.Prompt);

        Assert.Equal(2, run.Cases.Count);
        var first = run.Cases[0];
        Assert.Equal(("adopt", "POST /pets/{petId}/adopt", 2), (first.TaskId, first.Expected, first.History.Count));
        var second = run.Cases[1];
        Assert.Equal(("pets.jsonl:3", "GET /pets", 0), (second.TaskId, second.Expected, second.History.Count));
        Assert.Null(second.Prompt);
        Assert.Equal(Path.GetFullPath(temp.PathOf("specs/pets.yaml")), run.Tasks[1].Spec.FilePath);
    }

    [Fact]
    public void AnUnmappableHistoryEventCostsNoCase()
    {
        using var temp = new TempFolder();
        temp.Write("pets.yaml", Specs.Pets);
        var dataset = temp.Write("pets.jsonl", """
            {"spec": "pets.yaml", "events": [{"endpoint": "GET /owners/1"}], "expected": "GET /pets"}
            """);

        var run = EvalRun.Of("jsonl", dataset);

        Assert.Single(run.Cases);
        Assert.Equal((1, 0), (run.Report.UnmappedCalls, run.Report.UnmappableCases));
    }

    [Fact]
    public void ASpecOverrideServesEveryLine()
    {
        using var temp = new TempFolder();
        var spec = temp.Write("pets.yaml", Specs.Pets);
        var dataset = temp.Write("pets.jsonl", """{"events": [], "expected": "DELETE /pets/3"}""");

        var run = EvalRun.Of("jsonl", dataset, spec);

        Assert.Equal("DELETE /pets/{petId}", Assert.Single(run.Cases).Expected);
    }

    [Fact]
    public void ABadJsonLineAmongGoodOnesIsSkippedAndReportedWithFileAndLine()
    {
        using var temp = new TempFolder();
        temp.Write("pets.yaml", Specs.Pets);
        var dataset = temp.Write("pets.jsonl", """
            {"spec": "pets.yaml", "events": [], "expected": "GET /pets"}
            {"spec": "pets.yaml", "events": [, "expected": "GET /pets"}
            {"spec": "pets.yaml", "events": [], "expected": "/pets"}
            {"spec": "pets.yaml", "events": [], "expected": "POST /pets"}
            """);
        var report = new EvalReport();

        var tasks = new JsonlAdapter().Load(dataset, null, report).ToList();

        Assert.Equal(["pets.jsonl:1", "pets.jsonl:4"], tasks.Select(t => t.Id));
        Assert.StartsWith($"{dataset}:2:", report.Skipped["jsonl: a malformed line (skipped)"].Examples[0], StringComparison.Ordinal);
        Assert.StartsWith($"{dataset}:3:", report.Skipped["jsonl: a malformed line (skipped)"].Examples[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingSpecIsReportedWithThePathLookedFor()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("sets/pets.jsonl", """{"spec": "../specs/gone.yaml", "events": [], "expected": "GET /pets"}""");

        var error = Assert.Throws<EvalDataException>(() => new JsonlAdapter().Load(dataset, null));

        Assert.Contains($"{dataset}:1", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(temp.PathOf("specs/gone.yaml")), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"spec": "pets.yaml", "events": [], "expected": "/pets"}""", "'/pets' is not \"METHOD /path\"")]
    [InlineData("""{"spec": "pets.yaml", "events": [{"params": {}}], "expected": "GET /pets"}""", "no 'endpoint'")]
    [InlineData("""{"spec": "pets.yaml", "events": []}""", "'expected'")]
    [InlineData("""{"events": [], "expected": "GET /pets"}""", "'spec'")]
    [InlineData("""["spec", "events"]""", "expected a JSON object")]
    public void AMalformedLineSaysWhatIsWrongAndWhere(string line, string complaint)
    {
        using var temp = new TempFolder();
        temp.Write("pets.yaml", Specs.Pets);
        var dataset = temp.Write("pets.jsonl", line);

        var error = Assert.Throws<EvalDataException>(() => new JsonlAdapter().Load(dataset, null));

        Assert.Contains($"{dataset}:1", error.Message, StringComparison.Ordinal);
        Assert.Contains(complaint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingDatasetFileIsNamed()
    {
        using var temp = new TempFolder();
        var missing = temp.PathOf("none.jsonl");

        var error = Assert.Throws<EvalDataException>(() => new JsonlAdapter().Load(missing, null));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
