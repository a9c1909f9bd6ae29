using Microsoft.Extensions.Options;

namespace OpenSesame.Api;

/// <summary>When the service gives memory back after a burst of large requests. Section "Memory" of the configuration.</summary>
public sealed class MemoryTrimOptions
{
    public const string Section = "Memory";

    /// <summary>How often the service looks whether it is quiet and holds memory a burst left: a quiet period of this
    /// length, after the GC's committed memory grew by <see cref="GrowthBytes"/>, ends in one full compacting
    /// collection that returns the free memory to the system. Default 00:00:10; zero turns it off.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Growth of the GC's committed memory since the last trim (or the start) that is worth a trim. Default
    /// 64 MB: bursts of eight 26 MB bodies left 300–500 MB committed (docs/SECURITY.md, "Request bodies").</summary>
    public long GrowthBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>At most this much allocated during one <see cref="Interval"/> and the service counts as quiet: idle, it
    /// allocated 0–0.2 MB per 10 s in a scratch run. Default 8 MB.</summary>
    public long QuietAllocationBytes { get; set; } = 8L * 1024 * 1024;
}

/// <summary>
/// Gives the memory of a burst back once the service is quiet. The runtime does not: after eight 26 MB bodies the GC's
/// free regions stayed committed (resident) through a minute idle, since nothing allocates enough to start a
/// collection, and a collection decommits free regions only gradually, over later ones; no GC setting changed that
/// (Server or Workstation, <c>GCConserveMemory</c>; docs/SECURITY.md, "Request bodies"). An aggressive collection
/// compacts every generation, the large object heap included, and decommits what is free at once. It stops the
/// process while it compacts, so it runs only when the service is quiet and holds much more than before.
/// </summary>
internal sealed class IdleMemoryTrim(IOptions<MemoryTrimOptions> options, TimeProvider time, ILogger<IdleMemoryTrim> log)
    : BackgroundService
{
    /// <summary>What the trim reads (bytes allocated since the start, the GC's committed bytes) and what it does: the
    /// runtime's, or a test's.</summary>
    internal Func<(long Allocated, long Committed)> Read { get; init; } =
        () => (GC.GetTotalAllocatedBytes(), GC.GetGCMemoryInfo().TotalCommittedBytes);

    internal Action Collect { get; init; } =
        () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    private long _baseline;
    private long _allocated;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Interval <= TimeSpan.Zero)
        {
            return;
        }

        Begin();
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Tick();
        }
    }

    /// <summary>Takes the memory of the service as it starts as the baseline.</summary>
    internal void Begin() => (_allocated, _baseline) = Read();

    /// <summary>One look: trims when the last interval was quiet and the committed memory grew past the threshold.</summary>
    /// <returns>Whether it trimmed.</returns>
    internal bool Tick()
    {
        var (allocated, committed) = Read();
        var quiet = allocated - _allocated <= options.Value.QuietAllocationBytes;
        _allocated = allocated;
        // Measured from the lowest point since the last trim: the GC may have given some back on its own.
        _baseline = Math.Min(_baseline, committed);
        if (!quiet || committed - _baseline < options.Value.GrowthBytes)
        {
            return false;
        }

        Collect();
        (_allocated, _baseline) = Read();
        log.LogInformation("Quiet after a burst: a compacting collection took the GC's committed memory from {Before} MB to {After} MB.",
            committed / (1024 * 1024), _baseline / (1024 * 1024));
        return true;
    }
}

internal static class IdleMemoryTrimRegistration
{
    public static IServiceCollection AddIdleMemoryTrim(this IServiceCollection services)
    {
        services.AddOptions<MemoryTrimOptions>().BindConfiguration(MemoryTrimOptions.Section)
            .Validate(o => o.GrowthBytes > 0 && o.QuietAllocationBytes >= 0,
                $"{MemoryTrimOptions.Section}:GrowthBytes must be positive and QuietAllocationBytes not negative.")
            .ValidateOnStart();
        services.AddHostedService<IdleMemoryTrim>();
        return services;
    }
}
