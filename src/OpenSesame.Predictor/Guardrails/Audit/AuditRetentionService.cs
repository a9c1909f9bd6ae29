using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Guardrails.Audit;

/// <summary>Deletes audit records past their retention, at start and then every cleanup interval.</summary>
internal sealed class AuditRetentionService(IAuditLog log, IOptions<AuditOptions> options, TimeProvider time,
    ILogger<AuditRetentionService> logger)
    : PeriodicCleanupService(options.Value.CleanupInterval, time, logger, "audit records older than their retention")
{
    protected override Task<int> DeleteAsync(CancellationToken cancellationToken) =>
        log.DeleteOlderThanAsync(Time.GetUtcNow() - options.Value.Retention, cancellationToken);
}
