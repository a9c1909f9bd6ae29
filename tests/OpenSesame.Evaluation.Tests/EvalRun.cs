using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

/// <summary>What a dataset yields end to end: the adapter's tasks, the builder's cases and the report of both.</summary>
internal sealed record EvalRun(List<EvalTask> Tasks, List<EvalCase> Cases, EvalReport Report)
{
    public static EvalRun Of(string format, string datasetPath, string? spec = null, EvalSplit split = EvalSplit.All)
    {
        var catalogs = new EvalSpecCatalogs();
        var report = new EvalReport();
        var tasks = EvalDatasetAdapters.Get(format, catalogs, split).Load(datasetPath, spec, report).ToList();
        var cases = new EvalCaseBuilder(catalogs).Build(tasks, report);
        return new EvalRun(tasks, cases, report);
    }

    public int GoldCalls => Tasks.Sum(t => t.Gold.Count);

    public EvalTask Task(string id) => Tasks.Single(t => t.Id == id);

    public List<string> ExpectedOf(string taskId) => [.. Cases.Where(c => c.TaskId == taskId).Select(c => c.Expected)];
}
