using OpenSesame.Training;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class TrainingDataTests
{
    private static readonly string[] Files = [TrainingData.TrainFileName, TrainingData.HeldOutFileName, TrainingData.ManifestFileName];

    [Fact]
    public void GenerateWritesTrainAndHeldOutSessionsOfDisjointDomains()
    {
        using var folder = new TempFolder();

        var manifest = TrainingData.Generate(folder.Root, 200, seed: 5, heldOutDomainCount: 3);

        var train = SyntheticSessionFile.Read(folder.PathOf(manifest.TrainFile)).ToList();
        var heldOut = SyntheticSessionFile.Read(folder.PathOf(manifest.HeldOutFile)).ToList();
        var trainDomains = train.Select(s => s.Domain).ToHashSet();
        var heldOutDomains = heldOut.Select(s => s.Domain).ToHashSet();
        Assert.Equal(200, train.Count + heldOut.Count);
        Assert.Equal(3, heldOutDomains.Count);
        Assert.Empty(trainDomains.Intersect(heldOutDomains));
        Assert.Equal(manifest.HeldOutDomains.Order(StringComparer.Ordinal), heldOutDomains.Order(StringComparer.Ordinal));
        Assert.Equal(manifest.TrainDomains.Order(StringComparer.Ordinal), trainDomains.Order(StringComparer.Ordinal));
        Assert.Equal(SyntheticDomains.All.Select(d => d.Name).Order(StringComparer.Ordinal),
            manifest.TrainDomains.Concat(manifest.HeldOutDomains).Order(StringComparer.Ordinal));
        Assert.Equal(200, manifest.SessionsByDomain.Values.Sum());
    }

    [Fact]
    public void GenerateWritesTheSameBytesForTheSameSeedAndOtherBytesForAnother()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        using var other = new TempFolder();

        TrainingData.Generate(first.Root, 120, seed: 9, heldOutDomainCount: 2);
        TrainingData.Generate(second.Root, 120, seed: 9, heldOutDomainCount: 2);
        TrainingData.Generate(other.Root, 120, seed: 10, heldOutDomainCount: 2);

        Assert.All(Files, file => Assert.Equal(File.ReadAllBytes(first.PathOf(file)), File.ReadAllBytes(second.PathOf(file))));
        Assert.NotEqual(File.ReadAllBytes(first.PathOf(TrainingData.TrainFileName)), File.ReadAllBytes(other.PathOf(TrainingData.TrainFileName)));
    }

    [Fact]
    public void GenerateRefusesToHoldOutSoManyDomainsThatTrainingHasTooFewLeft()
    {
        using var folder = new TempFolder();

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            TrainingData.Generate(folder.Root, 10, seed: 1, heldOutDomainCount: SyntheticDomains.All.Count - 2));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Root));
    }
}
