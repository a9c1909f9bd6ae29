using OpenSesame.Predictor.Candidates;

namespace OpenSesame.Predictor.Tests.Candidates;

public sealed class CandidateBudgetTests
{
    private static readonly CandidateBudget Rule = new(Buffer: 15, PerRootOperation: 3, MaxBuffer: 80);

    [Fact]
    public void ASmallSpecKeepsTheLeastBuffer() => Assert.Equal(5 + 15, Rule.PoolSize(5, 12));

    [Fact]
    public void TheBufferGrowsWithTheSquareRootOfTheSpecsSize()
    {
        Assert.Equal(5 + 30, Rule.PoolSize(5, 100));
        Assert.Equal(5 + 65, Rule.PoolSize(5, 468));
    }

    [Fact]
    public void TheBufferStopsAtItsMost() => Assert.Equal(5 + 80, Rule.PoolSize(5, 100_000));

    [Fact]
    public void WithoutGrowthTheBufferIsFixed() => Assert.Equal(3 + 15, (Rule with { PerRootOperation = 0 }).PoolSize(3, 900));
}
