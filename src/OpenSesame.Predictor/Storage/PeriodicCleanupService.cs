using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OpenSesame.Predictor.Storage;

/// <summary>
/// Deletes what a store keeps past its bounds, at start and then every <paramref name="interval"/>. A failed round is
/// logged and tried again at the next tick: a cleanup must never stop the service.
/// </summary>
/// <param name="what">What is deleted, for the log ("audit records older than their retention").</param>
internal abstract partial class PeriodicCleanupService(TimeSpan interval, TimeProvider time, ILogger logger, string what)
    : BackgroundService
{
    protected TimeProvider Time => time;

    /// <summary>One round of deletion; returns how many rows went.</summary>
    protected abstract Task<int> DeleteAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            await CleanUpAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await DeleteAsync(cancellationToken);
            if (deleted > 0)
            {
                LogDeleted(logger, deleted, what);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, what);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} {What}")]
    private static partial void LogDeleted(ILogger logger, int count, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting {What} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string what);
}
