using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Storage;
using OpenSesame.Testing;

namespace OpenSesame.Predictor.Tests.Storage;

public sealed class RecordWriterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private readonly ListLogger<RecordWriter> _log = new();

    private RecordWriter NewWriter(int capacity, TimeSpan retryFor = default, TimeProvider? time = null) => new(
        Options.Create(new RecordingOptions { Capacity = capacity, WaitTimeout = TimeSpan.Zero, RetryFor = retryFor }),
        time ?? TimeProvider.System, _log, _services.GetRequiredService<IMeterFactory>());

    [Fact]
    public async Task ARecordBeyondTheCapacityIsDroppedAndCountedAndTheOthersAreWrittenInOrder()
    {
        using var writer = NewWriter(capacity: 1);
        var (started, release) = (new TaskCompletionSource(), new TaskCompletionSource());
        var written = new List<int>();

        await writer.WriteAsync("audit", "p-1", async _ =>
        {
            started.SetResult();
            await release.Task;
            written.Add(1);
        });
        // The writer holds the first; the second waits in the queue, which has room for one.
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        await writer.WriteAsync("audit", "p-2", _ => { written.Add(2); return Task.CompletedTask; });
        await writer.WriteAsync("audit", "p-3", _ => { written.Add(3); return Task.CompletedTask; });

        var status = writer.Status();
        Assert.Equal((1L, true), (status.Dropped, status.RecentLoss));
        Assert.True(status.Degraded);
        release.SetResult();
        await writer.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal([1, 2], written);
        Assert.Equal(0, writer.Status().Pending);
    }

    [Fact]
    public async Task AFailedWriteIsCountedAsLostAndTheWritesAfterItStillHappen()
    {
        using var writer = NewWriter(capacity: 10);
        var written = false;

        await writer.WriteAsync("ledger", "p-1", _ => throw new IOException("disk full"));
        await writer.WriteAsync("ledger", "p-2", _ => { written = true; return Task.CompletedTask; });
        await writer.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(written);
        Assert.Equal(1, writer.Status().Dropped);
    }

    [Fact]
    public async Task AWriteThatFailsWhileTheStoreIsLockedIsTriedAgainUntilItIsWritten()
    {
        var time = new FakeTimeProvider();
        using var writer = NewWriter(capacity: 10, retryFor: TimeSpan.FromMinutes(2), time);
        var tries = 0;
        var written = new TaskCompletionSource();

        await writer.WriteAsync("usage", "p-1", _ =>
        {
            if (++tries < 3)
            {
                throw new IOException("database is locked");
            }

            written.SetResult();
            return Task.CompletedTask;
        });
        // Tried again 0.5 s and then 1 s later, on the writer's clock.
        for (var i = 0; i < 20 && !written.Task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await written.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await writer.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3, tries);
        Assert.Equal(0, writer.Status().Dropped);
    }

    [Fact]
    public async Task AWriteThatStillFailsWhenTheRetryTimeIsOverIsCountedAsLost()
    {
        var time = new FakeTimeProvider();
        using var writer = NewWriter(capacity: 10, retryFor: TimeSpan.FromSeconds(3), time);
        var tries = 0;
        var next = new TaskCompletionSource();

        await writer.WriteAsync("audit", "p-1", _ => { tries++; throw new IOException("disk full"); });
        await writer.WriteAsync("audit", "p-2", _ => { next.SetResult(); return Task.CompletedTask; });
        for (var i = 0; i < 40 && !next.Task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await next.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        // Tried at 0, 0.5, 1.5 s; the next try would be at 3.5 s, past the 3 s allowed.
        Assert.Equal(3, tries);
        Assert.Equal(1, writer.Status().Dropped);
    }

    [Fact]
    public async Task ManyRecordsLostAtOnceAreOneErrorLineASecondThatCountsTheRest()
    {
        var time = new FakeTimeProvider();
        using var writer = NewWriter(capacity: 1, time: time);
        var (started, release) = (new TaskCompletionSource(), new TaskCompletionSource());
        await writer.WriteAsync("audit", "p-0", _ =>
        {
            started.SetResult();
            return release.Task;
        });
        // The writer holds p-0 and the queue p-1; every record after them is lost.
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        await writer.WriteAsync("audit", "p-1", _ => Task.CompletedTask);

        for (var i = 2; i < 102; i++)
        {
            await writer.WriteAsync("audit", $"p-{i}", _ => Task.CompletedTask);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        await writer.WriteAsync("ledger", "p-102", _ => Task.CompletedTask);

        release.SetResult();
        await writer.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(101, writer.Status().Dropped);
        Assert.Equal(
        [
            "The audit record of prediction p-2 was not written: full (0 more lost since the last line like this)",
            "The ledger record of prediction p-102 was not written: full (99 more lost since the last line like this)",
        ], _log.At(LogLevel.Error));
    }

    public void Dispose() => _services.Dispose();
}
