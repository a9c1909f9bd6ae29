using Microsoft.Extensions.Configuration;
using OpenSesame.Predictor.Semantics;

namespace OpenSesame.Cli.Tests;

/// <summary><c>opensesame eval</c>'s options, checked before any host starts.</summary>
public sealed class EvalCommandTests
{
    [Fact]
    public async Task OnlyTheTrafficFormatTakesATrainOrValidationSplit()
    {
        var (code, output, error) = await CommandRun.RunAsync(EvalCommand.Create(),
            "eval", "--format", "restbench", "--dataset", "tmdb.json", "--split", "validation");

        Assert.Equal((2, ""), (code, output));
        Assert.Contains("only the traffic format takes --split", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownSplitIsRefusedByTheParser()
    {
        var (code, _, error) = await CommandRun.RunAsync(EvalCommand.Create(),
            "eval", "--format", "traffic", "--dataset", "github.jsonl", "--split", "test");

        Assert.NotEqual(0, code);
        Assert.Contains("test", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryCommandWaitsForItsSpecsOperationVectorsSoThatEvaluationDoesNotDependOnTiming()
    {
        var settings = CliHost.Configuration().GetSection(SemanticOptions.Section).Get<SemanticOptions>();

        Assert.False(settings?.BackgroundIndexing);
    }
}
