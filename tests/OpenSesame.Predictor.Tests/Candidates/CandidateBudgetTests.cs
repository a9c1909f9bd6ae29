using OpenSesame.Predictor.Candidates;

namespace OpenSesame.Predictor.Tests.Candidates;

public sealed class CandidateBudgetTests
{
    private static readonly CandidateBudget Default = new(Buffer: 15, PerRootOperation: 3, MaxBuffer: 80);

    [Fact]
    public void ASmallSpecKeepsTheLeastBuffer() => Assert.Equal(5 + 15, Default.PoolSize(5, 12));

    [Fact]
    public void TheBufferGrowsWithTheSquareRootOfTheSpecsSize()
    {
        Assert.Equal(5 + 30, Default.PoolSize(5, 100));
        Assert.Equal(5 + 65, Default.PoolSize(5, 468));
    }

    [Fact]
    public void TheBufferStopsAtItsMost() => Assert.Equal(5 + 80, Default.PoolSize(5, 100_000));

    [Fact]
    public void WithoutGrowthTheBufferIsFixed() => Assert.Equal(3 + 15, (Default with { PerRootOperation = 0 }).PoolSize(3, 900));
}
