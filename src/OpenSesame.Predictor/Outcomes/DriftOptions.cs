namespace OpenSesame.Predictor.Outcomes;

/// <summary>Watching online quality and feature drift: section "Drift" of the configuration.</summary>
public sealed class DriftOptions
{
    public const string Section = "Drift";

    /// <summary>Measure online quality per model version and per spec, and feature drift, from the outcome log, and
    /// alert when either degrades. Needs <c>Outcomes:Enabled</c>. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the measures are taken again (each round reads the outcome log of the last two windows).
    /// Default 15 minutes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The recent window; the window before it is the baseline it is compared with. Default 1 day.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Outcomes a window needs, per spec, before its top-3 is compared (fewer is noise). Default 50.</summary>
    public int MinOutcomes { get; set; } = 50;

    /// <summary>A spec's recent top-3 this far below its baseline raises an alert. Default 0.10.</summary>
    public double Top3Drop { get; set; } = 0.10;

    /// <summary>A feature whose population stability index between the two windows exceeds this raises an alert
    /// (0.25 is the usual "significant shift"). Default 0.25.</summary>
    public double PsiAlert { get; set; } = 0.25;
}
