namespace OpenSesame.Predictor.Learning;

/// <summary>
/// Retraining the ranker from the deployment's logged outcomes: section "Learning" of the configuration. The service
/// only records requests for it (<c>POST /admin/retrain</c>); <c>opensesame retrain</c> (once, or <c>--watch</c> as
/// a worker) trains, judges and promotes, in its own process.
/// </summary>
public sealed class LearningOptions
{
    public const string Section = "Learning";

    /// <summary>
    /// How much one labelled group of real traffic counts in fitting the trees against a synthetic group's 1. Default 4:
    /// the same reasoning as recorded client traffic's four replays (<c>TrafficRepeats</c>): a few thousand real groups
    /// against a hundred thousand synthetic ones would otherwise barely move the trees. Not tuned on outcomes yet.
    /// </summary>
    public double RealGroupWeight { get; set; } = 4;

    /// <summary>The most labelled groups of real traffic one run trains on: the newest before the held-out slice.
    /// Default 20,000 (with 20 candidates of the current feature list each, about 80 MB of vectors in memory).</summary>
    public int MaxRealGroups { get; set; } = 20_000;

    /// <summary>The newest share of the logged outcomes that the candidate never trains on and that both the candidate
    /// and the serving model are measured on (prequential: judged on what came after its data). Default 0.2.</summary>
    public double HoldoutShare { get; set; } = 0.2;

    /// <summary>When set, the held-out slice is the outcomes of predictions made after this time instead of the newest
    /// <see cref="HoldoutShare"/>. Default none.</summary>
    public DateTimeOffset? HoldoutAfter { get; set; }

    /// <summary>Fewest held-out outcomes the gate judges on; with fewer, the candidate is judged on the synthetic suite
    /// alone (and the report says so). Default 50: below that a top-3 difference of 0.1 is within noise (its standard
    /// error is about 0.07 at 50 groups and a top-3 near 0.5).</summary>
    public int MinHoldoutGroups { get; set; } = 50;

    /// <summary>
    /// How much worse than the serving model the candidate's top-3 may be, on the held-out outcomes and on the synthetic
    /// suite's calibration domains alike, and still be promoted (an absolute difference; on the synthetic suite a larger
    /// loss must also be significant case by case, z ≤ −2, or it is taken for the noise of retraining). Default 0.01.
    /// </summary>
    public double PromotionMargin { get; set; } = 0.01;

    /// <summary>Retrain on a schedule: this long after the last run began (at once when none ever ran). Default none
    /// (off).</summary>
    public TimeSpan? RetrainInterval { get; set; }

    /// <summary>Retrain once this many new labelled groups (outcomes whose chosen call was among the logged candidates)
    /// arrived since the last run began; 0 turns it off. Default 1,000: at a 0.2 holdout, 200 held-out groups, on which a
    /// top-3 near 0.5 has a standard error of about 0.035.</summary>
    public int RetrainAfterGroups { get; set; } = 1_000;

    /// <summary>How often a worker (<c>opensesame retrain --watch</c>) looks for requests, the schedule and new
    /// outcomes. Default 30 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A run claimed longer ago than this and never finished is taken to be a dead worker's, and another worker
    /// may claim it again. Default 2 hours (a full training takes about 10 minutes on two cores).</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Whether the settings make sense; the reason when they do not.</summary>
    public string? Problem() =>
        RealGroupWeight < 0 || !double.IsFinite(RealGroupWeight) ? "Learning:RealGroupWeight must be 0 or more."
        : MaxRealGroups < 0 ? "Learning:MaxRealGroups must be 0 or more."
        : HoldoutShare is < 0 or >= 1 ? "Learning:HoldoutShare is a share in [0, 1)."
        : MinHoldoutGroups < 0 ? "Learning:MinHoldoutGroups must be 0 or more."
        : PromotionMargin < 0 || !double.IsFinite(PromotionMargin) ? "Learning:PromotionMargin must be 0 or more."
        : RetrainInterval is { } interval && interval <= TimeSpan.Zero ? "Learning:RetrainInterval must be positive when set."
        : RetrainAfterGroups < 0 ? "Learning:RetrainAfterGroups must be 0 or more."
        : PollInterval <= TimeSpan.Zero || ClaimTimeout <= TimeSpan.Zero ? "Learning:PollInterval and ClaimTimeout must be positive."
        : null;
}
