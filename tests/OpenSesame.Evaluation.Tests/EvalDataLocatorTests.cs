using OpenSesame.Evaluation;

namespace OpenSesame.Evaluation.Tests;

public sealed class EvalDataLocatorTests
{
    [Fact]
    public void FindsTheSharedEvaldataFolderFromWhereTestsRun()
    {
        var expected = EvalData.PathOf(".");

        Assert.Equal(Path.GetFullPath(expected), Path.GetFullPath(EvalDataLocator.FindRoot()!));
    }

    [Fact]
    public void FindsASpecInASpecsFolderAboveTheDataset()
    {
        using var temp = new TempFolder();
        var spec = temp.Write("bench/specs/api.json", "{}");
        var dataset = temp.Write("bench/datasets/tasks.json", "[]");

        Assert.Equal(spec, EvalDataLocator.FindFile(dataset, "the spec", Path.Combine("specs", "api.json")));
    }

    [Fact]
    public void FindsASpecUnderASharedEvaldataFolderAboveTheDataset()
    {
        using var temp = new TempFolder();
        var spec = temp.Write("shared/evaldata/bench/specs/api.json", "{}");
        var dataset = temp.Write("heldout/tasks.json", "[]");

        var found = EvalDataLocator.FindFile(dataset, "the spec", Path.Combine("specs", "api.json"), Path.Combine("bench", "specs", "api.json"));

        Assert.Equal(spec, found);
    }

    [Fact]
    public void MissingSpecErrorNamesWhatWasLookedForAndWhere()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("heldout/tasks.json", "[]");
        var wanted = Path.Combine("specs", "no-such-spec-anywhere.json");

        var error = Assert.Throws<EvalDataException>(() => EvalDataLocator.FindFile(dataset, "the spec of tasks.json", wanted));

        Assert.Contains("the spec of tasks.json", error.Message, StringComparison.Ordinal);
        Assert.Contains(wanted, error.Message, StringComparison.Ordinal);
        Assert.Contains(temp.PathOf("heldout"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PathsInsideADatasetAreRelativeToItsFolder()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("sets/cases.jsonl", "");

        Assert.Equal(temp.PathOf(Path.Combine("specs", "a.yaml")), EvalDataLocator.Resolve("../specs/a.yaml", dataset));
        Assert.Equal(temp.PathOf("b.yaml"), EvalDataLocator.Resolve(temp.PathOf("b.yaml"), dataset));
    }
}
