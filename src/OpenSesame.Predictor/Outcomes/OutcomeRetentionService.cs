using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Outcomes;

/// <summary>Deletes logged predictions (and their outcomes) past their retention or beyond the cap, at start and then
/// every cleanup interval. Each write trims too; this keeps retention while no prediction is made.</summary>
internal sealed class OutcomeRetentionService(IOutcomeStore store, IOptions<OutcomeOptions> options, TimeProvider time,
    ILogger<OutcomeRetentionService> logger)
    : PeriodicCleanupService(options.Value.CleanupInterval, time, logger, "logged predictions past their retention or beyond the cap")
{
    protected override Task<int> DeleteAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return store.TrimAsync(new OutcomeBounds(Time.GetUtcNow() - settings.Retention, settings.MaxServedPredictions), cancellationToken);
    }
}
