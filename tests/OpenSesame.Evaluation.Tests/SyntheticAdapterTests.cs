using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class SyntheticAdapterTests
{
    private static string Session(string domain, string method, string path) =>
        $$"""{"domain": "{{domain}}", "goal": "", "calls": [{"method": "{{method}}", "pathTemplate": "{{path}}", "path": "{{path}}", "params": {}, "timestamp": "2026-01-01T00:00:00+00:00"}], "prompts": [null]}""";

    [Fact]
    public void AMalformedSessionAmongGoodOnesIsSkippedAndReportedWithFileAndLine()
    {
        using var temp = new TempFolder();
        var file = temp.Write("heldout.jsonl", string.Join('\n',
            Session("billing", "GET", "/invoices"),
            "{\"domain\": ",
            Session("no-such-domain", "GET", "/x"),
            Session("billing", "POST", "/invoices")));
        var report = new EvalReport();

        var tasks = new SyntheticAdapter().Load(file, null, report).ToList();

        Assert.Equal(["billing-0#0", "billing-1#0"], tasks.Select(t => t.Id));
        var examples = report.Skipped["synthetic: a malformed session (skipped)"].Examples;
        Assert.Equal(2, examples.Count);
        Assert.StartsWith($"{file}:2:", examples[0], StringComparison.Ordinal);
        Assert.StartsWith($"{file}:3:", examples[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AFileWithoutAReadableSessionOrNoFileAtAllIsAClearError()
    {
        using var temp = new TempFolder();
        var file = temp.Write("heldout.jsonl", "not a session\n");

        var unreadable = Assert.Throws<EvalDataException>(() => new SyntheticAdapter().Load(file, null, new EvalReport()));
        var missing = Assert.Throws<EvalDataException>(() => new SyntheticAdapter().Load(temp.PathOf("none.jsonl"), null));

        Assert.StartsWith($"{file}:1:", unreadable.Message, StringComparison.Ordinal);
        Assert.Contains("none.jsonl", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASessionThatBeginsMidWorkflowHasNoTaskForItsFirstCall()
    {
        using var temp = new TempFolder();
        const string Call = """{"method": "GET", "pathTemplate": "/invoices", "path": "/invoices", "params": {}, "timestamp": "2026-01-01T00:00:00+00:00"}""";
        var file = temp.Write("heldout.jsonl", string.Join('\n',
            $$"""{"domain": "billing", "goal": "", "calls": [{{Call}}, {{Call}}], "prompts": [null, null], "beginsMidWorkflow": true}""",
            $$"""{"domain": "billing", "goal": "", "calls": [{{Call}}, {{Call}}], "prompts": [null, null]}"""));

        var tasks = new SyntheticAdapter().Load(file, null).ToList();

        Assert.Equal(["billing-0#1", "billing-1#0", "billing-1#1"], tasks.Select(t => t.Id));
    }
}
