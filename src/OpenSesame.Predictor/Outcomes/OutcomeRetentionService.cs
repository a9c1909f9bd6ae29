using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Outcomes;

/// <summary>Deletes logged predictions (and their outcomes) past their retention or beyond the cap, at start and then
/// every cleanup interval. Each write trims too; this keeps retention while no prediction is made.</summary>
internal sealed partial class OutcomeRetentionService(IOutcomeStore store, IOptions<OutcomeOptions> options, TimeProvider time,
    ILogger<OutcomeRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        do
        {
            await CleanUpAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        try
        {
            var deleted = await store.TrimAsync(new OutcomeBounds(time.GetUtcNow() - settings.Retention, settings.MaxServedPredictions),
                cancellationToken);
            if (deleted > 0)
            {
                LogDeleted(deleted, settings.Retention);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next round tries again; a failed cleanup must not stop the service.
            LogFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} logged predictions older than {Retention} or beyond the cap")]
    private partial void LogDeleted(int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired logged predictions failed")]
    private partial void LogFailed(Exception exception);
}
