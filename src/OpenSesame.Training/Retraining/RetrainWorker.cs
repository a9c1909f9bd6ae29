using System.Globalization;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Outcomes;

namespace OpenSesame.Training.Retraining;

/// <summary>
/// The process that trains (<c>opensesame retrain --watch</c>), apart from the service that serves: every poll it
/// claims the oldest waiting request (<c>POST /admin/retrain</c>), or starts a run when the schedule or the count of new
/// labelled outcomes calls for one, runs <see cref="Retrainer"/> and records how it ended. Claims are atomic in the
/// shared store, so any number of workers on one storage run each request once.
/// </summary>
/// <param name="worker">This process's name in the claims, e.g. "host:pid".</param>
/// <param name="reported">Receives what each finished run measured and decided (the CLI prints it).</param>
internal sealed class RetrainWorker(
    IRetrainRequests requests,
    IOutcomeReader outcomes,
    Retrainer retrainer,
    string dataFile,
    LearningOptions learning,
    TimeProvider time,
    string worker,
    Action<RetrainReport>? reported = null)
{
    /// <summary>Who a run this worker started on its own was requested by.</summary>
    public const string Requester = "worker";

    /// <summary>One poll: the finished request, or null when there was nothing to do.</summary>
    public async Task<RetrainRequest?> RunOnceAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var staleBefore = now - learning.ClaimTimeout;
        var claimed = await requests.ClaimNextAsync(worker, now, staleBefore, cancellationToken);
        if (claimed is null && await DueAsync(cancellationToken) is { } trigger)
        {
            claimed = await requests.ClaimNewAsync(trigger, Requester, worker, now, staleBefore, onlyIfIdle: true, cancellationToken);
        }

        return claimed is null ? null : await RunAsync(claimed, progress, cancellationToken);
    }

    /// <summary>Polls every <see cref="LearningOptions.PollInterval"/> until cancelled.</summary>
    public async Task WatchAsync(IProgress<string>? progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(learning.PollInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(progress, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A storage hiccup costs one poll, not the worker: the next poll tries again.
                progress?.Report($"poll failed, trying again in {learning.PollInterval}: {ex.Message}");
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>Which trigger calls for a run now, if any: the schedule when <see cref="LearningOptions.RetrainInterval"/>
    /// went by since the last run began (or no run ever began), else the outcomes when
    /// <see cref="LearningOptions.RetrainAfterGroups"/> labelled ones arrived since then.</summary>
    public async Task<RetrainTrigger?> DueAsync(CancellationToken cancellationToken)
    {
        var last = await requests.LastStartedAsync(cancellationToken);
        if (learning.RetrainInterval is { } interval && (last?.StartedAt is not { } began || time.GetUtcNow() - began >= interval))
        {
            return RetrainTrigger.Schedule;
        }

        if (learning.RetrainAfterGroups > 0)
        {
            var since = last?.StartedAt ?? DateTimeOffset.UnixEpoch;
            if (await outcomes.CountLabelledSinceAsync(since, cancellationToken) >= learning.RetrainAfterGroups)
            {
                return RetrainTrigger.Outcomes;
            }
        }

        return null;
    }

    /// <summary>Runs a claimed request and records how it ended; returns it as recorded.</summary>
    public async Task<RetrainRequest> RunAsync(RetrainRequest claimed, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"retraining {claimed.Id} ({RetrainNames.Of(claimed.Trigger)}, requested by {claimed.RequestedBy} at {claimed.RequestedAt:u})"));
        RetrainState state;
        string? candidate = null;
        string message;
        try
        {
            var report = await retrainer.RunAsync(dataFile, claimed.Id, progress, cancellationToken);
            reported?.Invoke(report);
            (state, candidate, message) = (report.Decision.Promote ? RetrainState.Promoted : RetrainState.Refused,
                report.Candidate.Version, string.Join("; ", report.Decision.Reasons));
        }
        catch (OperationCanceledException)
        {
            await requests.FinishAsync(claimed.Id, worker, RetrainState.Failed, null, "cancelled", time.GetUtcNow(), CancellationToken.None);
            throw;
        }
        catch (Exception ex)
        {
            // Whatever went wrong (a bad data file, a full disk, the trainer) fails this run, is recorded with its
            // message, and leaves the worker polling: the claim must not stay "running" until it goes stale.
            (state, message) = (RetrainState.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }

        await requests.FinishAsync(claimed.Id, worker, state, candidate, message, time.GetUtcNow(), CancellationToken.None);
        return await requests.FindAsync(claimed.Id, CancellationToken.None) ?? claimed;
    }
}
