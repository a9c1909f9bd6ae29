using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Guardrails.Audit;

/// <summary>Deletes audit records past their retention, at start and then every cleanup interval.</summary>
internal sealed partial class AuditRetentionService(IAuditLog log, IOptions<AuditOptions> options, TimeProvider time,
    ILogger<AuditRetentionService> logger) : BackgroundService
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
        try
        {
            var deleted = await log.DeleteOlderThanAsync(time.GetUtcNow() - options.Value.Retention, cancellationToken);
            if (deleted > 0)
            {
                LogDeleted(deleted, options.Value.Retention);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next round tries again; a failed cleanup must not stop the service.
            LogFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} audit records older than {Retention}")]
    private partial void LogDeleted(int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired audit records failed")]
    private partial void LogFailed(Exception exception);
}
