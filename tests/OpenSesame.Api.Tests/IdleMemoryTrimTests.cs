using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace OpenSesame.Api.Tests;

public sealed class IdleMemoryTrimTests
{
    private const long MB = 1024 * 1024;

    /// <summary>A process whose allocated and committed bytes the test sets, and the collections asked of it.</summary>
    private sealed class Memory
    {
        public long Allocated { get; set; }
        public long Committed { get; set; } = 40 * MB;
        public int Collections { get; private set; }

        public IdleMemoryTrim Trim(MemoryTrimOptions? options = null)
        {
            var trim = new IdleMemoryTrim(Microsoft.Extensions.Options.Options.Create(options ?? new MemoryTrimOptions()),
                new FakeTimeProvider(), NullLogger<IdleMemoryTrim>.Instance)
            {
                Read = () => (Allocated, Committed),
                Collect = () =>
                {
                    Collections++;
                    Committed = 45 * MB;
                },
            };
            trim.Begin();
            return trim;
        }
    }

    [Fact]
    public void AQuietServiceThatABurstLeftHoldingMemoryIsCollectedOnce()
    {
        var memory = new Memory();
        var trim = memory.Trim();
        memory.Allocated += 900 * MB;
        memory.Committed = 700 * MB;

        Assert.False(trim.Tick()); // the burst's own interval
        Assert.True(trim.Tick()); // the first quiet one
        Assert.False(trim.Tick());
        Assert.Equal(1, memory.Collections);
    }

    [Fact]
    public void AServiceThatIsStillAllocatingIsLeftAlone()
    {
        var memory = new Memory();
        var trim = memory.Trim();
        memory.Committed = 700 * MB;

        for (var i = 0; i < 5; i++)
        {
            memory.Allocated += 20 * MB;
            Assert.False(trim.Tick());
        }

        Assert.Equal(0, memory.Collections);
    }

    [Fact]
    public void GrowthUnderTheThresholdIsLeftToTheRuntime()
    {
        var memory = new Memory();
        var trim = memory.Trim(new MemoryTrimOptions { GrowthBytes = 100 * MB });
        memory.Committed = 139 * MB;

        Assert.False(trim.Tick());
        memory.Committed = 140 * MB;
        Assert.True(trim.Tick());
    }

    [Fact]
    public void GrowthIsMeasuredFromTheLowestPointSinceTheLastTrim()
    {
        var memory = new Memory { Committed = 300 * MB };
        var trim = memory.Trim();
        memory.Committed = 30 * MB; // the runtime gave memory back on its own

        Assert.False(trim.Tick());
        memory.Committed = 100 * MB;
        Assert.True(trim.Tick());
    }
}
