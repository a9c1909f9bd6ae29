using System.Text.Json.Nodes;
using OpenSesame.Testing;
using OpenSesame.Training;

namespace OpenSesame.Cli.Tests;

/// <summary><c>opensesame generate</c> with the real-spec walks, kept small (40 sessions, 4 per spec).</summary>
public sealed class GenerateCommandTests
{
    private static readonly string[] Files = [TrainingData.TrainFileName, TrainingData.HeldOutFileName, TrainingData.ManifestFileName];

    private static string SharedFolder => Path.GetFullPath(Path.Combine(EvalData.PathOf("."), ".."));

    [Fact]
    public async Task TheSameSeedWritesByteIdenticalFilesWithRealSpecWalksAndTheManifestNamesSpecsAndRates()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        string[] args = ["--count", "40", "--seed", "3", "--real-specs", "true", "--sessions-per-spec", "4", "--shared", SharedFolder];

        var one = await CommandRun.RunAsync(GenerateCommand.Create(), ["generate", .. args, "--out", first.Root]);
        var two = await CommandRun.RunAsync(GenerateCommand.Create(), ["generate", .. args, "--out", second.Root]);

        Assert.Equal(0, one.Code);
        Assert.Equal(0, two.Code);
        Assert.All(Files, f => Assert.Equal(File.ReadAllBytes(first.PathOf(f)), File.ReadAllBytes(second.PathOf(f))));
        var manifest = JsonNode.Parse(File.ReadAllText(first.PathOf(TrainingData.ManifestFileName)))!;
        Assert.Equal(TrainingCatalogs.RealSpecs, manifest["realSpecs"]!.AsArray().Select(s => (string)s!["spec"]!));
        Assert.Equal(new Training.Synthetic.ClientBehaviourOptions().RetryProbability, (double)manifest["behaviours"]!["retry_probability"]!);
        Assert.Equal(40 + (4 * TrainingCatalogs.RealSpecs.Count), (int)manifest["sessions"]!);

        // Real specs train only: the held-out file keeps the embedded domains.
        Assert.DoesNotContain("evaldata/", File.ReadAllText(first.PathOf(TrainingData.HeldOutFileName)), StringComparison.Ordinal);
        Assert.Contains("evaldata/specs/", File.ReadAllText(first.PathOf(TrainingData.TrainFileName)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingSharedFolderFailsWithAMessageNamingItWhenRealSpecsAreWalked()
    {
        using var folder = new TempFolder();
        var nowhere = Path.Combine(folder.Root, "no-shared");

        var failed = await CommandRun.RunAsync(GenerateCommand.Create(),
            "generate", "--count", "20", "--shared", nowhere, "--real-specs", "true", "--out", Path.Combine(folder.Root, "a"));
        var off = await CommandRun.RunAsync(GenerateCommand.Create(),
            "generate", "--count", "20", "--shared", nowhere, "--real-specs", "false", "--out", Path.Combine(folder.Root, "b"));

        Assert.Equal(2, failed.Code);
        Assert.Equal(0, off.Code);
        Assert.True(File.Exists(Path.Combine(folder.Root, "b", TrainingData.TrainFileName)));
    }

    [Fact]
    public async Task TheRepeatingClientShareReachesTheManifestAndAShareOutsideZeroToOneIsRefused()
    {
        using var folder = new TempFolder();

        var ok = await CommandRun.RunAsync(GenerateCommand.Create(),
            "generate", "--count", "20", "--repeating-client-share", "0.25", "--out", folder.Root);
        var zero = await CommandRun.RunAsync(GenerateCommand.Create(),
            "generate", "--count", "20", "--repeating-client-share", "0", "--out", Path.Combine(folder.Root, "zero"));

        Assert.Equal(0, ok.Code);
        var manifest = JsonNode.Parse(File.ReadAllText(folder.PathOf(TrainingData.ManifestFileName)))!;
        Assert.Equal(0.25, (double)manifest["behaviours"]!["repeating_client_share"]!);
        Assert.Equal(2, zero.Code);
    }
}
