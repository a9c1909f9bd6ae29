namespace OpenSesame.Predictor.Guardrails.Audit;

/// <summary>
/// What the service did for one prediction, kept for accountability: who asked, on which spec, what came back and
/// the guardrail decisions taken. The prompt is stored redacted (no personal data reaches the audit table).
/// </summary>
/// <param name="Flags">Decisions worth finding later ("removal-intent", "destructive-returned", ...).</param>
public sealed record AuditRecord(
    DateTimeOffset At,
    string PredictionId,
    string? UserId,
    string? SessionId,
    string SpecHash,
    string? RedactedPrompt,
    IReadOnlyList<string> Endpoints,
    string ModelVersion,
    double LatencyMs,
    decimal CostUsd,
    IReadOnlyList<string> Flags);

/// <summary>The append-only audit trail. Records are added and, past their retention, deleted; never changed.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>The newest records first, optionally of one user and since a time.</summary>
    Task<IReadOnlyList<AuditRecord>> QueryAsync(string? userId, DateTimeOffset? since, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes records older than <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
