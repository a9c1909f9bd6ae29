using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Tests.Storage;

public sealed class RecordWriterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private RecordWriter NewWriter(int capacity) => new(
        Options.Create(new RecordingOptions { Capacity = capacity, WaitTimeout = TimeSpan.Zero }),
        TimeProvider.System, NullLogger<RecordWriter>.Instance, _services.GetRequiredService<IMeterFactory>());

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

    public void Dispose() => _services.Dispose();
}
