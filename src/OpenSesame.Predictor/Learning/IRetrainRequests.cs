namespace OpenSesame.Predictor.Learning;

/// <summary>
/// The queue of retraining runs, shared by every process on one storage: the service records requests
/// (<c>POST /admin/retrain</c>) and never trains; a worker (<c>opensesame retrain --watch</c>) claims one, trains, and
/// records how it ended. A claim is atomic in the store, so two workers never run the same request.
/// </summary>
public interface IRetrainRequests
{
    /// <summary>Records a request for a retraining, or returns the one already waiting when there is one: a run that
    /// has not begun will read the newest outcomes anyway, so asking twice must not train twice.</summary>
    Task<RetrainRequest> RequestAsync(RetrainTrigger trigger, string requestedBy, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records a request already claimed by <paramref name="worker"/>. With <paramref name="onlyIfIdle"/> (a schedule's
    /// or new outcomes' trigger) nothing is recorded, and null returned, while any request is waiting or running
    /// (a claim older than <paramref name="staleBefore"/> excepted), so two workers that see the same trigger start one run.
    /// </summary>
    Task<RetrainRequest?> ClaimNewAsync(RetrainTrigger trigger, string requestedBy, string worker, DateTimeOffset at,
        DateTimeOffset staleBefore, bool onlyIfIdle, CancellationToken cancellationToken);

    /// <summary>Claims the oldest waiting request for <paramref name="worker"/>, or a running one claimed before
    /// <paramref name="staleBefore"/> (its worker is taken to have died); null when there is none.</summary>
    Task<RetrainRequest?> ClaimNextAsync(string worker, DateTimeOffset at, DateTimeOffset staleBefore, CancellationToken cancellationToken);

    /// <summary>Records how a claimed run ended; false (and nothing changes) when <paramref name="worker"/> no longer
    /// holds the claim.</summary>
    Task<bool> FinishAsync(string id, string worker, RetrainState state, string? candidate, string message, DateTimeOffset at,
        CancellationToken cancellationToken);

    Task<RetrainRequest?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>The newest requests first.</summary>
    Task<IReadOnlyList<RetrainRequest>> RecentAsync(int count, CancellationToken cancellationToken);

    /// <summary>The request whose run began last; null when none ever began.</summary>
    Task<RetrainRequest?> LastStartedAsync(CancellationToken cancellationToken);
}

/// <summary>A retraining run asked for, and what became of it.</summary>
/// <param name="RequestedBy">Who asked: an API key's owner, "anonymous", or the worker or command that started it.</param>
/// <param name="Worker">The process that claimed it ("host:pid"), once claimed.</param>
/// <param name="Candidate">The model version the run trained, once finished.</param>
/// <param name="Message">Why it was promoted, refused, or failed, once finished.</param>
public sealed record RetrainRequest(
    string Id,
    RetrainTrigger Trigger,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    RetrainState State,
    string? Worker = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null,
    string? Candidate = null,
    string? Message = null);

/// <summary>What started a retraining.</summary>
public enum RetrainTrigger
{
    /// <summary><c>POST /admin/retrain</c>.</summary>
    Request,

    /// <summary><c>opensesame retrain</c>, run once.</summary>
    Command,

    /// <summary><see cref="LearningOptions.RetrainInterval"/> went by.</summary>
    Schedule,

    /// <summary><see cref="LearningOptions.RetrainAfterGroups"/> new labelled outcomes arrived.</summary>
    Outcomes,
}

/// <summary>Where a retraining stands.</summary>
public enum RetrainState
{
    /// <summary>Waiting for a worker.</summary>
    Pending,

    /// <summary>A worker claimed it and is training.</summary>
    Running,

    /// <summary>The candidate passed the gate and is current.</summary>
    Promoted,

    /// <summary>The candidate was saved but the gate refused it; the serving model stays.</summary>
    Refused,

    /// <summary>The run ended in an error.</summary>
    Failed,
}

/// <summary>The names requests carry in storage and in the API, lower case.</summary>
public static class RetrainNames
{
    public static string Of(RetrainTrigger trigger) => trigger.ToString().ToLowerInvariant();

    public static string Of(RetrainState state) => state.ToString().ToLowerInvariant();

    public static RetrainTrigger? TriggerOf(string name) =>
        Enum.TryParse<RetrainTrigger>(name, ignoreCase: true, out var trigger) && Enum.IsDefined(trigger) ? trigger : null;

    public static RetrainState? StateOf(string name) =>
        Enum.TryParse<RetrainState>(name, ignoreCase: true, out var state) && Enum.IsDefined(state) ? state : null;
}
