namespace OpenSesame.Predictor.Guardrails.Audit;

/// <summary>The audit trail of predictions. Section "Audit" of the configuration.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Record every prediction. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Records older than this are deleted. Default 90 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often expired records are looked for. Default every hour.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
