using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class EvalDatasetAdaptersTests
{
    [Fact]
    public void EveryAdapterIsFoundByItsFormatName()
    {
        Assert.Equal(["agentdiff", "jsonl", "nestful", "octokit", "restbench", "synthetic", "toolalpaca", "traffic"], EvalDatasetAdapters.Formats);
        Assert.All(EvalDatasetAdapters.Formats, format => Assert.Equal(format, EvalDatasetAdapters.Get(format).Format));
    }

    [Fact]
    public void FormatNamesIgnoreCaseAndSpaces()
    {
        Assert.Equal("restbench", EvalDatasetAdapters.Find(" RestBench ")?.Format);
    }

    [Fact]
    public void AnUnknownFormatListsTheKnownOnes()
    {
        Assert.Null(EvalDatasetAdapters.Find("arazzo"));

        var error = Assert.Throws<EvalDataException>(() => EvalDatasetAdapters.Get("arazzo"));

        Assert.Contains("arazzo", error.Message, StringComparison.Ordinal);
        Assert.Contains("agentdiff, jsonl, nestful, octokit, restbench, synthetic, toolalpaca, traffic", error.Message, StringComparison.Ordinal);
    }
}
